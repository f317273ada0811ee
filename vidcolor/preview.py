"""``preview``: a few frames, gray beside colorized, found by seeking, in seconds."""

from __future__ import annotations

import re
from pathlib import Path

import av
import cv2
import numpy as np
import torch

from .colorize import colorize_frames
from .color import luma_to_gray
from .decode import COLORSPACE_BT709, frame_luma, video_stream
from .encode import chroma_planes
from .errors import VidcolorError
from .frames import Frame
from .inference import InferenceConfig
from .probe import open_input

PANEL_MAX_WIDTH = 720


def parse_time(text: str) -> float:
    """'12.5', '1:02', '00:01:02.5' -> seconds."""
    if not re.fullmatch(r"\d+(\.\d*)?|(\d+:){1,2}\d+(\.\d*)?", text.strip()):
        raise VidcolorError(f"'{text}' is not a time (seconds, MM:SS or HH:MM:SS)")
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def frame_at(container: av.container.InputContainer, seconds: float, path: Path) -> av.VideoFrame:
    """The frame shown at ``seconds``: seek to the keyframe before, decode forward."""
    vs = video_stream(container, path)
    tb = vs.time_base
    start = vs.start_time or 0
    target = start + int(seconds / tb)
    container.seek(target, stream=vs, backward=True)
    chosen = None
    for f in container.decode(vs):
        if f.pts is None or f.pts <= target or chosen is None:
            chosen = f
        if f.pts is not None and f.pts >= target:
            break
    if chosen is None:
        raise VidcolorError(f"no frame at {seconds:g} s", path)
    return chosen


def to_frame(f: av.VideoFrame, index: int) -> Frame:
    y, full = frame_luma(f)
    return Frame(index=index, pts=f.pts or 0, time_base=f.time_base, y=y, full_range=full,
                 matrix="bt709" if f.colorspace == COLORSPACE_BT709 else "bt601",
                 rotation=int(round(f.rotation or 0)))


def frame_rgb(frame: Frame) -> np.ndarray:
    """Full-resolution RGB of a colorized frame, as the encoder would write it."""
    h, w = frame.y.shape
    cb, cr = chroma_planes(frame, w, h)
    yuv = av.VideoFrame.from_ndarray(np.stack([frame.y, cb, cr]), format="yuv444p")
    yuv.color_range = 2 if frame.full_range else 1
    yuv.colorspace = 1 if frame.matrix == "bt709" else 6
    return yuv.to_ndarray(format="rgb24")


def panel(rgb: np.ndarray, rotation: int) -> np.ndarray:
    if rotation:
        rgb = np.rot90(rgb, k=int(round(rotation / 90)) % 4)
    h, w = rgb.shape[:2]
    if w > PANEL_MAX_WIDTH:
        rgb = cv2.resize(rgb, (PANEL_MAX_WIDTH, round(h * PANEL_MAX_WIDTH / w)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def preview(path: str | Path, times: list[float], model: torch.nn.Module, config: InferenceConfig) -> np.ndarray:
    """One picture: a row per time, the gray input on the left, colorized on the right."""
    path = Path(path)
    rows = []
    with open_input(path) as container:
        video_stream(container, path).thread_type = "AUTO"
        for i, t in enumerate(times):
            frame = to_frame(frame_at(container, t, path), i)
            [colored] = list(colorize_frames([frame], model, config))
            gray = np.dstack([luma_to_gray(frame.y, frame.full_range).astype(np.uint8)] * 3)
            left, right = panel(gray, frame.rotation), panel(frame_rgb(colored), frame.rotation)
            row = np.concatenate([left, np.full((left.shape[0], 4, 3), 255, np.uint8), right], 1)
            cv2.putText(row, f"{t:.2f}s", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
            rows.append(row)
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows, 0)
