"""Where results go, and how they get there without ever leaving half a file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import VidcolorError

PARTIAL_TAG = ".vidcolor-partial"


def default_output(input_path: Path, suffix: str) -> Path:
    """``<stem>.colorized.<ext>`` beside the input."""
    return input_path.with_name(f"{input_path.stem}.colorized{suffix}")


def check_output(input_path: Path, output: Path, overwrite: bool, folder: bool = False) -> None:
    """Refuse to clobber the input, or an existing file without --overwrite (``folder``: the output is one)."""
    if output.exists() and input_path.exists() and os.path.samefile(output, input_path):
        raise VidcolorError("output path is the input itself; refusing to overwrite the original", output)
    if output.resolve() == input_path.resolve():
        raise VidcolorError("output path is the input itself; refusing to overwrite the original", output)
    if output.is_dir() and not folder:
        raise VidcolorError("output path is a folder", output)
    if output.exists() and not overwrite:
        raise VidcolorError("output exists (use --overwrite to replace it)", output)
    parent = output.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VidcolorError(f"cannot create output folder: {exc.strerror}", parent) from None
    if not os.access(parent, os.W_OK):
        raise VidcolorError("output folder is not writable", parent)


def partial_path(output: Path) -> Path:
    """The temporary name a result is written under (same folder, same suffix)."""
    return output.with_name(f".{output.stem}{PARTIAL_TAG}{output.suffix}")


@contextlib.contextmanager
def atomic_output(output: Path) -> Iterator[Path]:
    """Yield a temporary path; rename it to ``output`` only if the block succeeds."""
    tmp = partial_path(output)
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
