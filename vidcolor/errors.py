"""The one exception type users see: a message naming the file and the problem."""

from __future__ import annotations

from pathlib import Path


class VidcolorError(Exception):
    """An expected failure (bad input, missing weights, ...), shown as one line."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)
