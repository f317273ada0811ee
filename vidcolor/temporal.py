"""Temporal stabilization of chroma: flow-guided, reset at scene cuts.

Per-frame colorization flickers (a coat goes brown, blue, brown). This stage
carries the previous frame's stabilized ab along the motion of the *input
luminance* (OpenCV DIS optical flow, at the network's working size) and blends
it with the fresh prediction under a per-pixel confidence: forward-backward
flow consistency (occlusions, new regions) times luminance agreement (the
warped previous frame must look like this one). Moving objects keep their
color; revealed regions take the fresh prediction; nothing crosses a cut,
because a detected cut resets the state.

It streams with a look-back of one frame and holds nothing else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from .frames import Frame


@dataclass(frozen=True)
class TemporalConfig:
    """How chroma is stabilized across frames."""

    mode: str = "flow"  # "flow" or "off"
    strength: float = 0.85  # weight of the motion-compensated past where it is trusted
    luma_sigma: float = 12.0  # gray levels: scale of the luminance mismatch that removes trust
    cut_threshold: float = 0.30  # histogram distance that is always a cut
    cut_ratio: float = 4.0  # or this many times the recent typical distance


def histogram(gray: np.ndarray, bins: int = 64) -> np.ndarray:
    h = cv2.calcHist([gray.astype(np.uint8)], [0], None, [bins], [0, 256]).ravel()
    return h / max(h.sum(), 1.0)


class CutDetector:
    """Scene cuts from the luminance histogram, with a threshold that adapts to the shot."""

    def __init__(self, config: TemporalConfig, history: int = 24) -> None:
        self.config = config
        self.recent: deque[float] = deque(maxlen=history)
        self.prev: np.ndarray | None = None

    def __call__(self, gray: np.ndarray) -> bool:
        h = histogram(gray)
        if self.prev is None:
            self.prev = h
            return True
        d = 0.5 * float(np.abs(h - self.prev).sum())
        self.prev = h
        typical = float(np.median(self.recent)) if len(self.recent) >= 3 else 0.0
        cut = d > self.config.cut_threshold or (len(self.recent) >= 3 and d > self.config.cut_ratio * typical + 0.08)
        if cut:
            self.recent.clear()
        else:
            self.recent.append(d)
        return cut


def make_flow() -> cv2.DISOpticalFlow:
    flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    return flow


def warp(img: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``img`` at x + flow(x) (bilinear, edges replicated)."""
    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def consistency(back: np.ndarray, fwd: np.ndarray) -> np.ndarray:
    """1 where following ``back`` then ``fwd`` returns home (Sundaram et al. test), else 0."""
    fwd_at = warp(fwd, back)
    s = back + fwd_at
    err = (s**2).sum(-1)
    bound = 0.01 * ((back**2).sum(-1) + (fwd_at**2).sum(-1)) + 0.5
    return (err <= bound).astype(np.float32)


class Stabilizer:
    """The recursive filter: state is the previous gray and stabilized ab."""

    def __init__(self, config: TemporalConfig) -> None:
        self.config = config
        self.cuts = CutDetector(config)
        self.flow = make_flow()
        self.prev_gray: np.ndarray | None = None
        self.prev_ab: np.ndarray | None = None

    def reset(self) -> None:
        self.prev_gray = self.prev_ab = None
        self.cuts = CutDetector(self.config)

    def confidence(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Backward flow (this frame -> previous) and the per-pixel trust in it."""
        g0 = self.prev_gray.astype(np.uint8)
        g1 = gray.astype(np.uint8)
        back = self.flow.calc(g1, g0, None)
        fwd = self.flow.calc(g0, g1, None)
        agree = np.exp(-(((warp(self.prev_gray, back) - gray) / self.config.luma_sigma) ** 2))
        return back, consistency(back, fwd) * agree

    def __call__(self, frame: Frame) -> Frame:
        gray = frame.gray
        frame.cut = self.cuts(gray) or self.prev_gray is None or self.prev_gray.shape != gray.shape
        if not frame.cut:
            back, conf = self.confidence(gray)
            conf = cv2.GaussianBlur(conf, (0, 0), 1.0) * self.config.strength
            carried = warp(self.prev_ab, back)
            frame.ab = frame.ab + conf[..., None] * (carried - frame.ab)
        self.prev_gray, self.prev_ab = gray, frame.ab
        return frame


def stabilize(items: Iterable[Frame], config: TemporalConfig) -> Iterator[Frame]:
    """Stabilize ``ab`` of every frame in order (mode 'off': pass through)."""
    if config.mode == "off":
        yield from items
        return
    if config.mode != "flow":
        raise ValueError(f"unknown temporal mode {config.mode!r}")
    stabilizer = Stabilizer(config)
    for item in items:
        yield stabilizer(item)
