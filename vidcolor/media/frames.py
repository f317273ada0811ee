"""What flows through the pipeline: frames, each with its index."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


def field_rows(fields: str, field: int) -> slice:
    """The rows of field 0 (shown first) or 1 of an interlaced picture with this field order."""
    return slice(0, None, 2) if (field == 0) == (fields == "tff") else slice(1, None, 2)


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
    sar: Fraction | None = None  # sample (pixel) aspect ratio to keep; None: square
    primaries: int = 2  # color primaries and transfer tags (FFmpeg's codes; 2: unspecified) to keep
    transfer: int = 2
    fields: str | None = None  # "tff" or "bff" for an interlaced picture, None for a progressive one
    field: int | None = None  # for one field of an interlaced picture: 0 shown first, 1 second
    gray: np.ndarray | None = None  # float32 gray 0..255 at render size (set by colorize)
    ab: np.ndarray | None = None  # float32 (h, w, 2) chroma at render size (set by colorize)
    field_ab: tuple[np.ndarray, np.ndarray] | None = None  # interlaced: each field's ab, first shown first
    cut: bool = False  # first frame of a new shot (set by the temporal stage)
    anchored: bool = False  # its color is given (a keyframe): the temporal stage keeps it as it is
    predict: bool = True  # False: the network skips it and the temporal stage carries color to it (stride.py)
    picture: object | None = None  # the av.VideoFrame to encode, made ahead in a worker thread (large films)
