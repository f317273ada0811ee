"""Interlaced film kept interlaced, with its chroma predicted per field.

An interlaced picture holds two moments: the field shown first and, half a frame
later, the other. Colorized as one picture, a moving edge would give both fields the
same (blurred) color. Here each field becomes a picture of its own on the way to the
model and the temporal stage (``split_fields``; its gray at the frame's working size,
a bob), and the two are woven back before writing (``weave_fields``): the luma exactly
as decoded, and each field's chroma on its own rows of the chroma plane, as interlaced
4:2:0 is sampled. The encoder then writes the frames interlaced in the same field order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np

from ..media.frames import Frame, field_rows


def split_fields(frames: Iterable[Frame]) -> Iterator[Frame]:
    """Each interlaced frame as its two fields, in the order they are shown; progressive frames as they are."""
    for frame in frames:
        if frame.fields is None:
            yield frame
            continue
        for k in (0, 1):
            yield replace(frame, y=np.ascontiguousarray(frame.y[field_rows(frame.fields, k)]), field=k, gray=None)


def weave_fields(frames: Iterable[Frame]) -> Iterator[Frame]:
    """Pairs of fields back into their frame: the luma re-interleaved, each field's ab kept for its rows."""
    first: Frame | None = None
    for frame in frames:
        if frame.field is None:
            yield frame
        elif frame.field == 0:
            first = frame
        elif first is not None and first.index == frame.index:
            h = first.y.shape[0] + frame.y.shape[0]
            y = np.empty((h, frame.y.shape[1]), np.uint8)
            y[field_rows(frame.fields, 0)] = first.y
            y[field_rows(frame.fields, 1)] = frame.y
            yield replace(frame, y=y, field=None, ab=None, field_ab=(first.ab, frame.ab), gray=None)
            first = None
