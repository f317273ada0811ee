"""Knowing what is already done: input fingerprints, run keys and sidecar files.

A finished output gets a small hidden sidecar beside it recording the input's
size, mtime and a hash of its first and last MiB, the model's tensor digest and
the recipe (every setting that changes the pixels; never how the run was
executed). A later run skips the file only when all of these still match and
the output is the size it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from ..media.files import check_output
from ..models.colorizer import Colorizer

CHUNK = 1 << 20


def fingerprint(path: Path) -> dict[str, Any]:
    """Size, mtime and sha256 of the first and last MiB: cheap, and catches real changes."""
    st = path.stat()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        h.update(fh.read(CHUNK))
        if st.st_size > 2 * CHUNK:
            fh.seek(-CHUNK, os.SEEK_END)
            h.update(fh.read(CHUNK))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256_ends": h.hexdigest()}


def run_key(input_path: Path, model: Colorizer, recipe: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Everything that decides an output's content: the input, the weights and the recipe."""
    return {"input": fingerprint(input_path), "model": model.arch, "weights_sha256": model.digest,
            "decoding": model.decoding, "recipe": recipe, **extra}


def sidecar_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.vidcolor.json")


def write_sidecar(output: Path, key: dict[str, Any], info: dict[str, Any]) -> None:
    record = {"key": key, "output_size": output.stat().st_size, "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
              **info}
    path = sidecar_path(output)
    tmp = path.with_suffix(".partial")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)


def is_done(output: Path, key: dict[str, Any]) -> bool:
    """True when ``output`` exists, is complete, and was made from this input with these settings."""
    path = sidecar_path(output)
    if not output.exists() or not path.exists():
        return False
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return record.get("key") == key and record.get("output_size") == output.stat().st_size


def up_to_date(input_path: Path, output: Path, key: dict[str, Any], overwrite: bool, folder: bool = False) -> bool:
    """Check the output path; True if it already holds this exact result (skip it).

    An existing output made by vidcolor from another input or other settings is
    redone; any other existing file is only replaced with ``overwrite``.
    """
    if output.exists() and not overwrite and output.resolve() != input_path.resolve():
        if is_done(output, key):
            return True
        if sidecar_path(output).exists():
            overwrite = True  # ours, but stale: the input or the settings changed
    check_output(input_path, output, overwrite, folder)
    return False
