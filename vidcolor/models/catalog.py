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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import VidcolorError
from . import zoo
from .checkpoint import read_checkpoint
from .colorizer import Colorizer

EVALS_FILE = "evals.json"


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
    if not path.exists():
        status = "no weights"
    else:
        try:
            ckpt = read_checkpoint(path)
            params = sum(v.numel() for k, v in ckpt["state_dict"].items() if not _is_buffer(k))
            steps = ckpt.get("meta", {}).get("steps")
            scores = {s: r for s, r in evals.get(name, {}).items() if r.get("weights_sha256") == ckpt["sha256"]}
            status = "trained"
        except VidcolorError as exc:
            status = str(exc).split(": ", 1)[-1]
    return ModelStatus(name, name == zoo.DEFAULT_MODEL, status, params, steps, scores, e.description)


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
    return "\n".join(lines)
