"""``preview``: a few frames, gray beside colorized, found by seeking, in seconds."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from ..errors import VidcolorError
from ..media.color import luma_to_gray
from ..media.decode import stream_layout, to_frame, video_stream
from ..media.encode import frame_rgb
from ..media.frames import Frame
from ..media.probe import frame_rate, open_input, probe
from ..models.colorizer import Colorizer
from .colorize import with_gray
from .cuts import shot_ranges
from .guides import WHOLE_FILM
from .keyframes import KeyframeColors, first_pass
from .reference import ReferenceColors
from .settings import Execution, Recipe
from .sources import ColorSource, ModelColors
from .temporal import stabilize

PANEL_MAX_WIDTH = 720


def parse_time(text: str) -> float:
    """'12.5', '1:02', '00:01:02.5' -> seconds."""
    if not re.fullmatch(r"\d+(\.\d*)?|(\d+:){1,2}\d+(\.\d*)?", text.strip()):
        raise VidcolorError(f"'{text}' is not a time (seconds, MM:SS or HH:MM:SS)")
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def panel(rgb: np.ndarray, rotation: int) -> np.ndarray:
    if rotation:
        rgb = np.rot90(rgb, k=round(rotation / 90) % 4)
    h, w = rgb.shape[:2]
    if w > PANEL_MAX_WIDTH:
        rgb = cv2.resize(rgb, (PANEL_MAX_WIDTH, round(h * PANEL_MAX_WIDTH / w)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def frames_between(path: Path, first: int, last: int) -> Iterator[Frame]:
    """Frames ``first`` to ``last`` (0-based, presentation order) found by seeking, with their film indices."""
    with open_input(path) as container:
        vs = video_stream(container, path)
        vs.thread_type = "AUTO"
        tb, rate, start, layout = vs.time_base, frame_rate(vs) or Fraction(25), vs.start_time or 0, stream_layout(vs)
        container.seek(start + int(first / rate / tb), stream=vs, backward=True)
        for f in container.decode(vs):
            index = round((f.pts - start) * tb * rate) if f.pts is not None else first
            if index > last:
                break
            if index >= first:
                yield to_frame(f, index, layout=layout)


def film_frame(path: Path, index: int, model: Colorizer, recipe: Recipe, warmup: int) -> Frame:
    """Frame ``index`` as the full run colors it: the model (on the frames the run gives it), keyframes or
    reference photos, then the temporal stage.

    Only the stretch that decides it is decoded: ``warmup`` frames before it, or from the last keyframe
    before it to the next keyframe after it, so a keyframe's reach shows in seconds.
    """
    execution = Execution(device=str(model.device), pipelined=False, jit=False)  # a few frames: no graphs to export
    size = recipe.inference.render_size
    lo, hi = max(0, index - warmup), index
    source: ColorSource
    if recipe.keyframes:
        lo = max([k.index for k in recipe.keyframes if k.index <= index], default=lo)
        hi = min([k.index for k in recipe.keyframes if k.index > index], default=hi)
        keys = tuple(k for k in recipe.keyframes if lo <= k.index <= hi)
        backward = first_pass(frames_between(path, lo, hi), {k.index: k for k in keys}, size)
        source = KeyframeColors(model, replace(recipe, keyframes=keys), execution, backward)
    elif any(r.index != WHOLE_FILM for r in recipe.reference):
        lo = min(lo, max([r.index for r in recipe.reference if r.index <= index], default=lo))
        hi = min([r.index for r in recipe.reference if r.index > index], default=hi)
        shots = shot_ranges((f.index, f.gray) for f in with_gray(frames_between(path, lo, hi), size))
        source = ReferenceColors(model, recipe, execution, shots)
    elif recipe.reference:  # one photo for the whole film
        source = ReferenceColors(model, recipe, execution)
    else:
        source = ModelColors(model, recipe, execution)
    frames = with_gray(frames_between(path, lo, hi), size)
    for frame in stabilize(source.colorize(frames), recipe.temporal):
        if frame.index >= index:
            return frame
    raise VidcolorError(f"no frame {index}: the film ends before it", path)


def preview(path: str | Path, times: list[float], model: Colorizer, recipe: Recipe | None = None,
            warmup: float = 1.0) -> np.ndarray:
    """One picture: a row per time, the gray input on the left, colorized on the right.

    With the temporal stage on, the second before each time is run through it
    too, so the preview shows what the full run will write there; with keyframes,
    the stretch from the keyframe before it.
    """
    recipe = (recipe or Recipe()).for_film(model.info.film_decoding)
    warm = warmup if recipe.temporal.method != "off" else 0.0
    path = Path(path)
    info = probe(path)
    rate = info.rate or Fraction(25)
    rows = []
    for t in times:
        if info.duration and t >= info.duration:
            raise VidcolorError(f"{t:.2f} s is past the end of the film ({info.duration:.2f} s long)", path)
        # the frame shown at t, the second before it through the temporal stage (as a resumed run warms up)
        colored = film_frame(path, math.floor(t * rate + 1e-6), model, recipe, round(warm * rate))
        gray = np.dstack([luma_to_gray(colored.y, colored.full_range).astype(np.uint8)] * 3)
        left, right = panel(gray, colored.rotation), panel(frame_rgb(colored), colored.rotation)
        row = np.concatenate([left, np.full((left.shape[0], 4, 3), 255, np.uint8), right], 1)
        cv2.putText(row, f"{t:.2f}s", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
        rows.append(row)
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows, 0)
