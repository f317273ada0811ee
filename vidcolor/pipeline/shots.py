"""A film's shots, and one representative frame of each for an artist to color.

Shots come from the same cut detector the temporal stage resets at, so a keyframe's shot is
exactly the stretch its color will be carried through. The representative frame of a shot is
its sharpest well-exposed one (variance of the Laplacian, less for clipped blacks and whites),
picked while streaming: one full-size picture per shot is held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ..media.color import luma_to_gray
from ..media.decode import decode
from ..media.frames import Frame
from .colorize import gray_small
from .cuts import CutDetector

SHOT_RENDER_SIZE = 160  # the working size the cut detector sees, as in a run


@dataclass
class Shot:
    """One shot: its first and last frame (index and seconds), and the frame picked to color."""

    first: int
    last: int
    start: float
    end: float
    keyframe: int
    keyframe_time: float
    score: float = -1.0


def picture_score(gray: np.ndarray) -> float:
    """Sharp and well exposed: Laplacian variance, less the share of clipped pixels."""
    sharp = float(cv2.Laplacian(gray.astype(np.float32), cv2.CV_32F).var())
    clipped = float(np.mean((gray < 8) | (gray > 247)))
    return sharp * (1.0 - clipped) ** 2


def _seconds(frame: Frame) -> float:
    return float(frame.pts * frame.time_base)


def find_shots(path: Path, keep: dict[int, np.ndarray] | None = None) -> list[Shot]:
    """The film's shots in order; ``keep`` (if given) receives each shot's picked frame as full-size gray uint8."""
    cuts = CutDetector()
    shots: list[Shot] = []
    best: np.ndarray | None = None
    for frame in decode(path):
        small = gray_small(frame, SHOT_RENDER_SIZE)
        t = _seconds(frame)
        if cuts(small) or not shots:
            if shots and keep is not None and best is not None:
                keep[shots[-1].keyframe] = best
            shots.append(Shot(frame.index, frame.index, t, t, frame.index, t))
            best = None
        shot = shots[-1]
        shot.last, shot.end = frame.index, t
        score = picture_score(small)
        if score > shot.score:
            shot.score, shot.keyframe, shot.keyframe_time = score, frame.index, t
            if keep is not None:
                best = (luma_to_gray(frame.y, frame.full_range) + 0.5).astype(np.uint8)
    if shots and keep is not None and best is not None:
        keep[shots[-1].keyframe] = best
    return shots


def export_keyframes(path: Path, folder: Path) -> tuple[list[Shot], list[Path]]:
    """Each shot's picked frame, gray, as ``folder/<frame index>.png`` (the name a keyframe is given back by)."""
    from ..media.images import write_png

    pictures: dict[int, np.ndarray] = {}
    shots = find_shots(path, pictures)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, gray in pictures.items():
        out = folder / f"{index}.png"
        write_png(out, np.dstack([gray] * 3))
        written.append(out)
    return shots, written


def iter_shot_rows(shots: list[Shot]) -> Iterator[str]:
    yield f"{'shot':>4} {'first':>7} {'last':>7} {'start s':>9} {'end s':>9} {'keyframe':>9}"
    for n, s in enumerate(shots):
        yield f"{n:>4} {s.first:>7} {s.last:>7} {s.start:>9.3f} {s.end:>9.3f} {s.keyframe:>9}"
