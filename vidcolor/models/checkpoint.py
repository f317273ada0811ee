"""Self-describing weight files: architecture, config, provenance and a digest.

Like openai/whisper's checkpoints, a file carries everything needed to rebuild
its model, so a weights file can be moved, shared and loaded by name alone;
the digest of the tensors catches a file damaged on disk.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from ..errors import VidcolorError

FORMAT = "vidcolor-weights"
FORMAT_VERSION = 1


def state_digest(state_dict: dict[str, torch.Tensor]) -> str:
    """sha256 over the tensors' names, dtypes, shapes and bytes, in key order."""
    h = hashlib.sha256()
    for key in sorted(state_dict):
        t = state_dict[key].detach().cpu().contiguous()
        h.update(f"{key}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def atomic_save(obj: Any, path: str | Path) -> None:
    """torch.save to a temporary name in the same folder, then rename over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_weights(path: str | Path, model: torch.nn.Module, arch: str, config: dict[str, Any],
                 meta: dict[str, Any], half: bool = True, film_decoding: dict[str, float] | None = None) -> None:
    """Write the shipped form: fp16 tensors (floats only) plus description (and a film decoding, if any)."""
    state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().clone()
             for k, v in model.state_dict().items()}
    atomic_save({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "arch": arch,
        "config": config,
        "state_dict": state,
        "sha256": state_digest(state),
        "meta": meta,
    } | ({"film_decoding": film_decoding} if film_decoding else {}), path)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load and verify a weights file; every failure is one clear line."""
    path = Path(path)
    if not path.is_file():
        raise VidcolorError("weights file not found", path)
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, OSError) as exc:
        why = str(exc).split("\n")[0]
        raise VidcolorError(f"weights file is corrupt or not a vidcolor weights file ({why})", path) from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise VidcolorError("not a vidcolor weights file (no format marker)", path)
    if ckpt.get("format_version", 0) > FORMAT_VERSION:
        raise VidcolorError(f"weights format {ckpt['format_version']} is newer than this vidcolor reads", path)
    if state_digest(ckpt["state_dict"]) != ckpt.get("sha256"):
        raise VidcolorError("weights file is corrupt (sha256 of its tensors does not match)", path)
    return ckpt


def blend_states(a: dict[str, Any], b: dict[str, Any], w: float) -> dict[str, torch.Tensor]:
    """w × B + (1 − w) × A, tensor by tensor, of two checkpoints of one architecture (a fine-tuned
    network and its start lie in one basin, so points between them are networks too: WiSE-FT).
    Floats are mixed in fp32; integer buffers (batch counts) are A's."""
    sa, sb = a["state_dict"], b["state_dict"]
    if a["arch"] != b["arch"] or sa.keys() != sb.keys():
        raise VidcolorError(f"cannot blend a '{a['arch']}' and a '{b['arch']}' network: not the same tensors")
    if not 0.0 <= w <= 1.0:
        raise VidcolorError(f"blend share {w} is not within 0..1")
    return {k: torch.lerp(v.float(), sb[k].float(), w) if v.is_floating_point() else v for k, v in sa.items()}
