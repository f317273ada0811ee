"""Temporal stabilization of chroma: flow-guided, reset at scene cuts.

Per-frame colorization flickers (a coat goes brown, blue, brown). This stage
carries the previous frame's stabilized ab along the motion of the *input
luminance* (OpenCV DIS optical flow, at half the network's working size) and blends
it with the fresh prediction under a per-pixel confidence: forward-backward
flow consistency (occlusions, new regions) times luminance agreement (the
warped previous frame must look like this one). Moving objects keep their
color; revealed regions take the fresh prediction; nothing crosses a cut,
because a detected cut resets the state.

It streams with a look-back of one frame and holds nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import NamedTuple, Protocol

import cv2
import numpy as np

from ..errors import VidcolorError
from ..media.frames import Frame
from .cuts import CUT_RATIO, CUT_THRESHOLD, CutDetector


class TemporalMethod(Protocol):
    """Takes each frame in order (with its fresh ``ab``) and returns it with ``ab`` stabilized."""

    def __call__(self, frame: Frame) -> Frame: ...


@dataclass(frozen=True)
class FlowConfig:
    """Flow-guided stabilization (the default)."""

    method: str = field(default="flow", init=False)
    strength: float = 0.85  # weight of the motion-compensated past where it is trusted
    luma_sigma: float = 12.0  # gray levels: scale of the luminance mismatch that removes trust
    cut_threshold: float = CUT_THRESHOLD
    cut_ratio: float = CUT_RATIO
    flow_scale: float = 0.5  # optical flow at this fraction of the working size (chroma is smooth)
    predict_every: int = 2  # the network colorizes every Nth frame and each shot's first (stride.py)

    def __post_init__(self) -> None:
        if self.predict_every < 1:
            raise VidcolorError(f"predict_every must be 1 or more, not {self.predict_every}")


@dataclass(frozen=True)
class OffConfig:
    """No stabilization: every frame keeps its own prediction."""

    method: str = field(default="off", init=False)


TemporalConfig = FlowConfig | OffConfig


def make_flow() -> cv2.DISOpticalFlow:
    return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)


def pixel_grid(h: int, w: int) -> np.ndarray:
    """(h, w, 2) x and y coordinates of every pixel (float32), the base that flow is added to."""
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.merge([gx, gy])


def warp(img: np.ndarray, flow: np.ndarray, grid: np.ndarray | None = None) -> np.ndarray:
    """Sample ``img`` at x + flow(x) (bilinear, edges replicated)."""
    base = grid if grid is not None else pixel_grid(*flow.shape[:2])
    return cv2.remap(img, base + flow, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _sq_norm(v: np.ndarray) -> np.ndarray:
    x, y = v[..., 0], v[..., 1]
    return x * x + y * y  # elementwise: numpy's sum over a last axis of 2 is several times slower


def consistency(back: np.ndarray, fwd: np.ndarray, grid: np.ndarray | None = None) -> np.ndarray:
    """1 where following ``back`` then ``fwd`` returns home (Sundaram et al. test), else 0."""
    fwd_at = warp(fwd, back, grid)
    bound = 0.01 * (_sq_norm(back) + _sq_norm(fwd_at)) + 0.5
    return (_sq_norm(back + fwd_at) <= bound).astype(np.float32)


class Stabilizer:
    """The recursive filter: state is the previous gray and stabilized ab."""

    def __init__(self, config: FlowConfig) -> None:
        self.config = config
        self.cuts = CutDetector(config.cut_threshold, config.cut_ratio)
        self.flow = make_flow()
        self.prev: np.ndarray | None = None  # (h, w, 3): gray, a, b of the previous frame
        self.prev_small: np.ndarray | None = None  # uint8 gray at the flow's size
        self.grid: np.ndarray | None = None
        self.small_grid: np.ndarray | None = None

    def reset(self) -> None:
        self.prev = self.prev_small = None
        self.cuts = CutDetector(self.config.cut_threshold, self.config.cut_ratio)

    def flow_size(self, h: int, w: int) -> tuple[int, int]:
        s = self.config.flow_scale
        return max(8, round(w * s)), max(8, round(h * s))

    def motion(self, small: np.ndarray, shape: tuple[int, int],
               trust: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Backward flow (this frame -> previous) at full working size, and where it is consistent
        (``trust`` False: only the flow, for a frame whose carried color is taken whole)."""
        back = self.flow.calc(small, self.prev_small, None)
        ok = consistency(back, self.flow.calc(self.prev_small, small, None), self.small_grid) if trust else None
        h, w = shape
        if small.shape != shape:
            back = cv2.resize(back, (w, h), interpolation=cv2.INTER_LINEAR)
            back[..., 0] *= w / small.shape[1]  # per channel: broadcasting a pair is several times slower
            back[..., 1] *= h / small.shape[0]
            ok = cv2.resize(ok, (w, h), interpolation=cv2.INTER_LINEAR) if ok is not None else None
        return back, ok

    def __call__(self, frame: Frame) -> Frame:
        gray = frame.gray
        h, w = gray.shape
        fw, fh = self.flow_size(h, w)
        small = cv2.resize(gray, (fw, fh), interpolation=cv2.INTER_AREA) if (fw, fh) != (w, h) else gray
        small = small.astype(np.uint8)
        frame.cut = self.cuts(gray) or self.prev is None  # the detector also cuts where the picture size changes
        if frame.ab is None and (frame.cut or frame.anchored):
            raise VidcolorError(f"frame {frame.index} starts a shot but was not colorized (a stride mismatch)")
        if frame.cut:
            self.grid, self.small_grid = pixel_grid(h, w), pixel_grid(fh, fw)
        elif not frame.anchored:
            predicted = frame.ab is not None  # else skipped (stride.py): the color carried here is all it has
            back, ok = self.motion(small, (h, w), trust=predicted)
            carried = warp(self.prev, back, self.grid)  # gray and ab in one remap
            if predicted:
                agree = np.exp(-(((carried[..., 0] - gray) * (1.0 / self.config.luma_sigma)) ** 2))
                conf = cv2.GaussianBlur(ok * agree, (0, 0), 1.0) * self.config.strength
                delta = carried[..., 1:] - frame.ab  # ab + conf * (carried - ab), without temporaries
                delta *= conf[..., None]
                delta += frame.ab
                frame.ab = delta
            else:
                frame.ab = np.ascontiguousarray(carried[..., 1:])
        self.prev = cv2.merge([gray, *cv2.split(frame.ab)])
        self.prev_small = small
        return frame


class PassThrough:
    """The 'off' method."""

    def __init__(self, config: OffConfig) -> None:
        self.config = config

    def __call__(self, frame: Frame) -> Frame:
        return frame


class TemporalEntry(NamedTuple):
    config: type
    method: type


# name -> (its config, the class that runs it): a new method is one more line here
TEMPORAL_METHODS: dict[str, TemporalEntry] = {
    "flow": TemporalEntry(FlowConfig, Stabilizer),
    "off": TemporalEntry(OffConfig, PassThrough),
}


def temporal_config(name: str, **options: float | int) -> TemporalConfig:
    """A method's config by name, with the options it takes (others, e.g. a strength for 'off', ignored)."""
    if name not in TEMPORAL_METHODS:
        raise VidcolorError(f"unknown temporal method '{name}' (known: {', '.join(TEMPORAL_METHODS)})")
    cls = TEMPORAL_METHODS[name].config
    known = {f.name for f in fields(cls) if f.init}
    return cls(**{k: v for k, v in options.items() if k in known and v is not None})


def make_temporal(config: TemporalConfig) -> TemporalMethod:
    """The method a config names, ready for a new film."""
    return TEMPORAL_METHODS[config.method].method(config)


def stabilize(items: Iterable[Frame], config: TemporalConfig) -> Iterator[Frame]:
    """Stabilize ``ab`` of every frame in order with the configured method."""
    method = make_temporal(config)
    for item in items:
        yield method(item)
