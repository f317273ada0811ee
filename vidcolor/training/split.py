"""The validation split of the training photos: every choice is made on it, never on eval sets.

About 5% of each sub-folder of the training data is held out, picked by a hash
of the file's name (stable when a folder grows) and committed as a list of
relative paths (``validation.txt`` beside this file), so the split is the same
on every machine and is never trained on.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

SPLIT_FILE = "validation.txt"
FRACTION = 0.05


def in_validation(relative: str, fraction: float = FRACTION) -> bool:
    """Whether a photo (path relative to the data root, e.g. ``lfw/x.jpg``) belongs to the split."""
    digest = hashlib.sha256(relative.encode()).digest()
    return int.from_bytes(digest[:8], "big") < fraction * 2**64


def make_split(root: Path, suffixes: set[str], fraction: float = FRACTION) -> list[str]:
    """The relative paths of ``root``'s photos that the hash rule holds out, sorted."""
    names = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix.lower() in suffixes)
    return sorted(n for n in names if in_validation(n, fraction))


def validation_names(path: Path | None = None) -> frozenset[str]:
    """The committed validation list (relative paths), or the one at ``path``."""
    text = path.read_text() if path is not None else \
        resources.files(__package__).joinpath(SPLIT_FILE).read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
