"""``preview``: a few frames, gray beside colorized, found by seeking, in seconds."""

from __future__ import annotations

import re
from pathlib import Path

import av
import cv2
import numpy as np

from ..errors import VidcolorError
from ..media.color import luma_to_gray
from ..media.decode import to_frame, video_stream
from ..media.encode import frame_rgb
from ..media.probe import open_input
from ..models.colorizer import Colorizer
from .colorize import colorize_frames
from .settings import InferenceConfig
from .temporal import FlowConfig, TemporalConfig, stabilize

PANEL_MAX_WIDTH = 720


def parse_time(text: str) -> float:
    """'12.5', '1:02', '00:01:02.5' -> seconds."""
    if not re.fullmatch(r"\d+(\.\d*)?|(\d+:){1,2}\d+(\.\d*)?", text.strip()):
        raise VidcolorError(f"'{text}' is not a time (seconds, MM:SS or HH:MM:SS)")
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def frames_before(container: av.container.InputContainer, seconds: float, warmup: float,
                  path: Path) -> list[av.VideoFrame]:
    """Frames from ``seconds - warmup`` up to the one shown at ``seconds`` (seek, then decode)."""
    vs = video_stream(container, path)
    tb = vs.time_base
    start = vs.start_time or 0
    target = start + int(seconds / tb)
    first = start + int(max(0.0, seconds - warmup) / tb)
    container.seek(first, stream=vs, backward=True)
    frames: list[av.VideoFrame] = []
    for f in container.decode(vs):
        if f.pts is not None and f.pts > target and frames:
            break
        if f.pts is None or f.pts >= first or not frames:
            frames.append(f)
    if not frames:
        raise VidcolorError(f"no frame at {seconds:g} s", path)
    return [f for f in frames if f.pts is None or f.pts >= first] or frames[-1:]


def panel(rgb: np.ndarray, rotation: int) -> np.ndarray:
    if rotation:
        rgb = np.rot90(rgb, k=round(rotation / 90) % 4)
    h, w = rgb.shape[:2]
    if w > PANEL_MAX_WIDTH:
        rgb = cv2.resize(rgb, (PANEL_MAX_WIDTH, round(h * PANEL_MAX_WIDTH / w)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def preview(path: str | Path, times: list[float], model: Colorizer, config: InferenceConfig,
            temporal: TemporalConfig | None = None, warmup: float = 1.0) -> np.ndarray:
    """One picture: a row per time, the gray input on the left, colorized on the right.

    With the temporal stage on, the second before each time is run through it
    too, so the preview shows what the full run will write there.
    """
    temporal = temporal or FlowConfig()
    path = Path(path)
    rows = []
    with open_input(path) as container:
        video_stream(container, path).thread_type = "AUTO"
        for _i, t in enumerate(times):
            decoded = frames_before(container, t, warmup if temporal.method != "off" else 0.0, path)
            frames = [to_frame(f, n) for n, f in enumerate(decoded)]
            *_, colored = stabilize(colorize_frames(frames, model, config), temporal)
            frame = colored
            gray = np.dstack([luma_to_gray(frame.y, frame.full_range).astype(np.uint8)] * 3)
            left, right = panel(gray, frame.rotation), panel(frame_rgb(colored), frame.rotation)
            row = np.concatenate([left, np.full((left.shape[0], 4, 3), 255, np.uint8), right], 1)
            cv2.putText(row, f"{t:.2f}s", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
            rows.append(row)
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows, 0)
