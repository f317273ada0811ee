"""What flows through the pipeline: frames, each with its index."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass
class Frame:
    """One decoded picture. ``y`` is the output luma, kept exactly as decoded."""

    index: int
    pts: int
    time_base: Fraction
    y: np.ndarray  # uint8 (H, W): the luma plane written to the output unchanged
    full_range: bool
    matrix: str  # "bt601" or "bt709": how chroma is to be written
    rotation: int = 0  # display rotation (degrees counter-clockwise) to keep
    gray: np.ndarray | None = None  # float32 gray 0..255 at render size (set by colorize)
    ab: np.ndarray | None = None  # float32 (h, w, 2) chroma at render size (set by colorize)
    cut: bool = False  # first frame of a new shot (set by the temporal stage)
