"""Scene cuts from the luminance histogram, with a threshold that adapts to the shot.

Shared by the temporal stage (a cut resets it, so no color crosses a cut) and
anything that works per shot.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable

import cv2
import numpy as np

CUT_THRESHOLD = 0.30  # histogram distance that is always a cut
CUT_RATIO = 4.0  # or this many times the recent typical distance


def histogram(gray: np.ndarray, bins: int = 64) -> np.ndarray:
    h = cv2.calcHist([gray.astype(np.uint8)], [0], None, [bins], [0, 256]).ravel()
    return h / max(h.sum(), 1.0)


class CutDetector:
    """Call with each frame's gray in order; True on the first frame of a new shot."""

    def __init__(self, threshold: float = CUT_THRESHOLD, ratio: float = CUT_RATIO, history: int = 24) -> None:
        self.threshold, self.ratio = threshold, ratio
        self.recent: deque[float] = deque(maxlen=history)
        self.prev: np.ndarray | None = None
        self.shape: tuple[int, ...] | None = None

    def __call__(self, gray: np.ndarray) -> bool:
        h = histogram(gray)
        resized, self.shape = gray.shape != self.shape, gray.shape  # a picture of another size starts a shot
        if self.prev is None or resized:
            self.prev = h
            self.recent.clear()
            return True
        d = 0.5 * float(np.abs(h - self.prev).sum())
        self.prev = h
        typical = statistics.median(self.recent) if len(self.recent) >= 3 else 0.0
        cut = d > self.threshold or (len(self.recent) >= 3 and d > self.ratio * typical + 0.08)
        if cut:
            self.recent.clear()
        else:
            self.recent.append(d)
        return cut


def shot_ranges(grays: Iterable[tuple[int, np.ndarray]]) -> list[tuple[int, int]]:
    """(first, last) frame index of each shot, from each frame's index and working-size gray, in order."""
    cuts = CutDetector()
    shots: list[tuple[int, int]] = []
    for index, gray in grays:
        if cuts(gray) or not shots:
            shots.append((index, index))
        shots[-1] = (shots[-1][0], index)
    return shots
