"""What the zoo holds on this machine: each model's weights, training and recorded scores.

``vidcolor eval --record`` writes a model's photo scores to ``evals.json`` beside
the user's own weights (never into the installed package), keyed by model and
set and tied to the sha256 of the weights they were measured on; the package
ships the records of its own weights beside them. ``vidcolor models`` shows a
record only while those weights are still the ones in use, so a table never
outlives a retraining silently.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import VidcolorError
from . import zoo
from .checkpoint import read_checkpoint
from .colorizer import FILM_SETTINGS, Colorizer

EVALS_FILE = "evals.json"
# Decoding settings left out of what is shown and recorded: the picture-wide gain's power, which only weights
# with a SceneGain head use (its default, 1, would read as a setting everywhere else)
HIDDEN = ("scene_gain_power",)


@dataclass
class ModelStatus:
    """One row of ``vidcolor models``."""

    name: str
    default: bool
    status: str  # "trained", "no weights" or the reason the file is unusable
    params: int | None
    steps: int | None
    scores: dict[str, dict[str, Any]]  # set name -> recorded scores for these weights
    description: str
    decodings: dict[str, dict[str, float | None]] = field(default_factory=dict)  # "photos"/"films" -> settings


def evals_path() -> Path:
    """Where new records go: beside the user's own weights."""
    return zoo.user_weights_dir() / EVALS_FILE


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def read_evals(path: Path | None = None) -> dict[str, Any]:
    """The shipped records, overlaid with the user's (a file given: that file alone)."""
    if path is not None:
        return _read(path)
    merged = _read(zoo.shipped_dir() / EVALS_FILE)
    for model, sets in _read(evals_path()).items():
        merged.setdefault(model, {}).update(sets)
    return merged


def record_eval(model: Colorizer, set_name: str, row: dict[str, Any], path: Path | None = None) -> Path:
    """Keep a model's scores on a set, tied to its weights (atomic rewrite of the file)."""
    path = path or evals_path()
    evals = _read(path)
    entry = row | {"weights_sha256": model.info.sha256, "steps": model.info.steps,
                   "date": time.strftime("%Y-%m-%d")}
    evals.setdefault(model.arch, {})[set_name] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    with os.fdopen(fd, "w") as f:
        json.dump(evals, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
    return path


def model_status(name: str, evals: dict[str, Any]) -> ModelStatus:
    e = zoo.entry(name)
    path = zoo.weights_for(name)
    params = steps = None
    scores: dict[str, dict[str, Any]] = {}
    decodings: dict[str, dict[str, float | None]] = {}
    if not path.exists():
        status = "no weights"
    else:
        try:
            ckpt = read_checkpoint(path)
            params = sum(v.numel() for k, v in ckpt["state_dict"].items() if not _is_buffer(k))
            steps = ckpt.get("meta", {}).get("steps")
            scores = {s: r for s, r in evals.get(name, {}).items() if r.get("weights_sha256") == ckpt["sha256"]}
            decodings = decodings_of(ckpt)
            status = "trained"
        except VidcolorError as exc:
            status = str(exc).split(": ", 1)[-1]
    return ModelStatus(name, name == zoo.DEFAULT_MODEL, status, params, steps, scores, e.description, decodings)


def decodings_of(ckpt: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """A weights file's own decodings: "photos" (its config) and, where it has one, "films" (its film
    decoding over that). Films may decode differently from photos, and a user should not have to run
    ``eval`` to learn how (the temperature is None for a regression head)."""
    config = ckpt["config"]
    photos: dict[str, float | None] = {name: float(config.get(name, 0.0)) for name in FILM_SETTINGS
                                       if name not in HIDDEN}
    if config.get("head", "reg") != "cls":
        photos["temperature"] = None
    film = {name: float(v) for name, v in (ckpt.get("film_decoding") or {}).items() if name not in HIDDEN}
    return {"photos": photos} | ({"films": photos | film} if film else {})


def describe_decoding(shown: dict[str, float | None]) -> str:
    """One line for a decoding, its settings resolved: what ``eval`` prints and ``models`` lists."""
    t = shown["temperature"]
    return (f"temperature {t if t is not None else '- (regression)'}, cast removal {shown['cast_removal']}, "
            f"chroma restoration {shown['chroma_restore']}, confidence gate {shown['confidence_gate']}"
            + (f", rebalancing undone {shown['prior_correction']}" if shown["prior_correction"] else "")
            + (f", chroma smoothing {shown['chroma_smoothing']:g}" if shown["chroma_smoothing"] else "")
            + (f", chroma floor {shown['chroma_floor']:g}" if shown["chroma_floor"] else ""))


def _is_buffer(key: str) -> bool:
    return key.endswith(("running_mean", "running_var", "num_batches_tracked", "rebalance_log_w"))


def format_models(rows: list[ModelStatus], set_name: str = "bsds500-test") -> str:
    """A fixed-width table: one model per line, the default marked."""
    head = (f"{'model':<15} {'':<8} {'status':<11} {'params':>7} {'steps':>6}  "
            f"{set_name + ' PSNR/SSIM/cf×':<24} description")
    lines = [head]
    for r in rows:
        s = r.scores.get(set_name)
        score = f"{s['psnr']:.2f} / {s['ssim']:.3f} / {s['cf_ratio']:.2f}" if s else "-"
        params = f"{r.params / 1e6:.2f}M" if r.params else "-"
        lines.append(f"{r.name:<15} {'default' if r.default else '':<8} {r.status:<11} {params:>7} "
                     f"{r.steps if r.steps is not None else '-':>6}  {score:<24} {r.description}")
    decoded = [r for r in rows if "films" in r.decodings]
    if decoded:
        lines += ["", "Decodings that differ for films (the weights' own; flags override them, and --vivid "
                      "decodes a film as a photo):"]
        for r in decoded:
            lines += [f"  {r.name} photos: {describe_decoding(r.decodings['photos'])}",
                      f"  {r.name} films:  {describe_decoding(r.decodings['films'])}"]
    return "\n".join(lines)
