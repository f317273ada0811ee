"""Where each result goes: the one output planner for single files, folders and archives."""

from __future__ import annotations

from pathlib import Path

from ..media.containers import output_suffix

STILL_SUFFIX = ".png"


def output_suffix_for(input_path: Path, kind: str, output_format: str = "h264") -> str:
    """.png for stills, no suffix for a PNG sequence (a folder), else a container that holds the copied streams."""
    if kind == "image":
        return STILL_SUFFIX
    if output_format == "png":
        return ""
    return output_suffix(input_path)


def plan_output(input_path: Path, kind: str, output: Path | None = None, folder: Path | None = None,
                relative: Path | None = None, output_format: str = "h264") -> Path:
    """``output`` as given; else under ``folder`` (mirroring ``relative``); else beside the input as
    ``<stem>.colorized.<ext>``."""
    if output is not None:
        return output
    suffix = output_suffix_for(input_path, kind, output_format)
    if folder is not None:
        rel = relative or Path(input_path.name)
        return folder / rel.parent / f"{rel.stem}{suffix}"
    return input_path.with_name(f"{input_path.stem}.colorized{suffix}")
