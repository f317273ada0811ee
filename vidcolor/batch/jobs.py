"""Finding the work: folders expanded recursively, each input planned with where its result goes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..media.files import PARTIAL_TAG
from .report import FileResult

# Files found in folders that are plainly not pictures or films: ignored, not failures.
NOT_MEDIA = {".txt", ".md", ".json", ".csv", ".xml", ".html", ".htm", ".pdf", ".doc", ".docx", ".log",
             ".nfo", ".srt", ".ass", ".vtt", ".sub", ".idx", ".ini", ".yaml", ".yml", ".py", ".sh", ".zip",
             ".tar", ".gz", ".7z", ".rar", ".db", ".DS_Store"}


@dataclass(frozen=True)
class Job:
    """One input to process, and where its result goes."""

    input: Path
    relative: Path  # mirrored under the output folder
    output_dir: Path | None  # None: beside the input (or ``output_file``)
    output_file: Path | None = None


def is_folder_output(output: str | Path | None, inputs: list[Path]) -> bool:
    """Several inputs, a folder among them, an existing folder, or a trailing slash: ``-o`` is a folder.

    ``output`` as the user typed it: a ``Path`` has already lost its trailing slash.
    """
    if output is None:
        return False
    many = len(inputs) > 1 or any(p.is_dir() for p in inputs)
    return many or Path(output).is_dir() or str(output).endswith((os.sep, "/"))


def discover(inputs: list[Path], output: str | Path | None) -> tuple[list[Job], list[FileResult]]:
    """Expand folders recursively; plan where each result goes. Missing inputs are failures."""
    output = None if output is None else str(output)
    folder = is_folder_output(output, inputs)
    out_dir = Path(output) if output is not None and folder else None
    out_file = Path(output) if output is not None and out_dir is None else None
    jobs, failures = [], []
    for root in inputs:
        if not root.exists():
            failures.append(FileResult(str(root), None, "failed", "no such file or folder"))
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                    continue  # hidden files, our sidecars and work folders
                if path.suffix.lower() in NOT_MEDIA or PARTIAL_TAG in path.name:
                    continue
                if out_dir is not None and out_dir.resolve() in path.resolve().parents:
                    continue  # never re-colorize our own outputs
                jobs.append(Job(path, Path(root.name) / rel if len(inputs) > 1 else rel, out_dir))
        else:
            jobs.append(Job(root, Path(root.name), out_dir, out_file))
    return jobs, failures
