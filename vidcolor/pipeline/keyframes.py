"""Color you direct: keyframes an artist colored, carried through their shot.

A keyframe is a color image named by the 0-based index of the frame it colors (``120.png``,
``000120.jpg``); only its chroma is used, on the film's own luminance. Its color is carried
forward and backward through its shot along the optical flow of the film's luminance, with a
per-pixel confidence (forward-backward consistency times luminance agreement, fading with
distance), never across a cut. Where the carried color is lost (an occlusion, a failed flow) the
frame is matched to its shot's nearest keyframe by the pretrained encoder's features and the
keyframe's color comes back there (and is carried on from there: re-anchored, so it does not
drift); small holes take the color of their own region (an edge-aware fill on the luminance).
Two keyframes in a shot are blended by distance; pixels nothing reliable reaches, and shots
without a keyframe, keep the automatic model's color. The temporal stage still runs on top.

A keyframe may also be the gray frame with a few color strokes painted on it (most of it left
exactly gray): then only the stroked pixels constrain, and their color is first spread within
the frame along its luminance (``propagate.spread_strokes``), then carried through the shot.

The backward direction needs the frames before a keyframe: a first pass over the film finds the
cuts and, at each keyframe, carries its color back to the previous keyframe or the shot's start,
keeping only those frames' working-size gray meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..media.color import rgb_to_lab
from ..media.frames import Frame
from ..media.images import read_image
from ..models.colorizer import Colorizer
from .colorize import gray_small
from .cuts import CutDetector
from .propagate import fill_holes, spread_strokes, stroke_trust
from .reference import Matcher
from .settings import Execution, GuideImage, Recipe
from .sources import ModelColors, chroma_gain
from .temporal import consistency, make_flow, pixel_grid, warp

LUMA_SIGMA = 14.0  # gray levels: a carried pixel that no longer looks like the frame loses trust
FADE = 0.995  # trust kept per frame carried, so far-away keyframes count less
FULL_TRUST = 0.5  # from this trust on, a keyframe's color is used alone (below, mixed with the model's)
UNTOUCHED_CHROMA = 1.5  # Lab ab: a keyframe pixel this close to gray was left unpainted
STROKES_SHARE = 0.6  # a keyframe this much unpainted is a stroke keyframe
STROKE_CHROMA = 4.0  # Lab ab: a painted pixel (between this and UNTOUCHED_CHROMA: compression fringes)
REANCHOR = 0.5  # trust given to a color found again by feature matching (at full match confidence)


@dataclass
class KeyColor:
    """A keyframe's chroma at the working size, how far each pixel of it is trusted, and its kind."""

    ab: np.ndarray
    trust: np.ndarray
    strokes: bool


def keyframe_color(keyframe: GuideImage, gray: np.ndarray) -> KeyColor:
    """The keyframe's chroma on the frame's gray (working size): a colored frame as it is, a stroke
    keyframe's strokes spread along the gray's edges (undiluted by the resize: a thin stroke keeps its color)."""
    h, w = gray.shape
    ab = rgb_to_lab(read_image(keyframe.path))[..., 1:]
    chroma = np.hypot(ab[..., 0], ab[..., 1])
    painted = chroma > STROKE_CHROMA
    if (chroma < UNTOUCHED_CHROMA).mean() >= STROKES_SHARE and painted.any():
        mask = painted.astype(np.float32)
        cover = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA)
        color = cv2.resize(ab * mask[..., None], (w, h), interpolation=cv2.INTER_AREA) / np.maximum(cover, 1e-6)[
            ..., None]
        strokes = cover > 0.25
        if not strokes.any():  # strokes thinner than a working-size pixel: their strongest pixels
            strokes = cover >= cover.max() * 0.5
        spread, reach = spread_strokes(gray, color, strokes)
        return KeyColor(spread, stroke_trust(reach), True)
    small = cv2.resize(ab, (w, h), interpolation=cv2.INTER_AREA)
    return KeyColor(np.ascontiguousarray(small), np.ones((h, w), np.float32), False)


class Carrier:
    """Carries chroma from frame to frame along the luminance's flow, with a per-pixel trust."""

    def __init__(self) -> None:
        self.flow = make_flow()
        self.gray: np.ndarray | None = None
        self.ab: np.ndarray | None = None
        self.trust: np.ndarray | None = None

    def start(self, gray: np.ndarray, color: KeyColor) -> None:
        self.gray, self.ab, self.trust = gray, color.ab, color.trust

    def reanchor(self, ab: np.ndarray, trust: np.ndarray) -> None:
        """Take a color found again (by matching the keyframe) where it is trusted more than the carried one."""
        better = trust > self.trust
        self.ab = np.where(better[..., None], ab, self.ab).astype(np.float32)
        self.trust = np.maximum(trust, self.trust).astype(np.float32)

    def step(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The carried chroma and trust at the next frame (in either direction of time)."""
        g8, p8 = gray.astype(np.uint8), self.gray.astype(np.uint8)
        back = self.flow.calc(g8, p8, None)
        fwd = self.flow.calc(p8, g8, None)
        grid = pixel_grid(*gray.shape)
        ok = consistency(back, fwd, grid)
        carried = warp(cv2.merge([self.gray, self.trust, *cv2.split(self.ab)]), back, grid)
        agree = np.exp(-(((carried[..., 0] - gray) / LUMA_SIGMA) ** 2))
        # a pixel keeps its trust while every step it was carried along is sound: the weakest step counts
        # (a product would let every frame's noise wear the color away), less a little per frame
        trust = np.minimum(carried[..., 1], cv2.GaussianBlur(ok * agree, (0, 0), 1.0)) * FADE
        self.gray, self.ab, self.trust = gray, np.ascontiguousarray(carried[..., 2:]), trust.astype(np.float32)
        return self.ab, self.trust


@dataclass
class Backward:
    """What the first pass found: the cuts, and each frame's chroma carried back from its next keyframe."""

    cuts: set[int] = field(default_factory=set)
    carried: dict[int, tuple[np.ndarray, np.ndarray, int]] = field(default_factory=dict)  # ab, trust, distance
    colors: dict[int, KeyColor] = field(default_factory=dict)  # each keyframe's color on its frame
    grays: dict[int, np.ndarray] = field(default_factory=dict)  # each keyframe's frame (working-size gray)


def first_pass(frames: Iterable[Frame], keyframes: dict[int, GuideImage], render_size: int) -> Backward:
    """Find the cuts, and carry each keyframe's color back through its shot (to the previous keyframe)."""
    found = Backward()
    cuts = CutDetector()
    since: list[tuple[int, np.ndarray]] = []  # grays since the last cut or keyframe
    for frame in frames:
        gray = gray_small(frame, render_size)
        if cuts(gray):
            found.cuts.add(frame.index)
            since = []
        if frame.index in keyframes:
            color = found.colors[frame.index] = keyframe_color(keyframes[frame.index], gray)
            found.grays[frame.index] = gray
            carrier = Carrier()
            carrier.start(gray, color)
            for index, earlier in reversed(since):
                ab, trust = carrier.step(earlier)
                found.carried[index] = (ab.astype(np.float16), trust.astype(np.float16), frame.index - index)
            since = []
        else:
            since.append((frame.index, gray))
    return found


class KeyframeColors:
    """The color source for a film with keyframes: the model's color, overruled where a keyframe reaches."""

    def __init__(self, model: Colorizer, recipe: Recipe, execution: Execution, backward: Backward) -> None:
        self.model_colors = ModelColors(model, recipe, execution, every_frame=True)
        self.keyframes = {k.index: k for k in recipe.keyframes}
        self.backward = backward
        self.matchers: dict[int, Matcher] = {}  # the current shot's keyframes, matched against for re-anchoring
        self.gains: dict[int, float] = {}  # per keyframe: how much of the model's chroma it bears out
        self.share: dict[int, list[float]] = {}  # shot's first frame -> share of each frame from keyframes

    def matcher(self, index: int) -> Matcher:
        if index not in self.matchers:
            color = self.backward.colors[index]
            self.matchers[index] = Matcher(self.backward.grays[index], color.ab, color.trust)
        return self.matchers[index]

    def gain(self, index: int) -> float:
        """The model's chroma as the keyframe bears it out (sources.chroma_gain), for its shot's unreached pixels.

        Strokes say what color the regions they reach are, not how colorful the rest is: a region no stroke
        reaches keeps the model's color as it is (a magenta stroke where the model saw yellow must not gray
        the rest of the frame)."""
        if index not in self.gains:
            color = self.backward.colors[index]
            self.gains[index] = 1.0 if color.strokes else chroma_gain(
                self.model_colors.predict(self.backward.grays[index]), color.ab, color.trust)
        return self.gains[index]

    def keyframe_before(self, index: int) -> tuple[int | None, int]:
        """The last keyframe before a frame within its shot (None if none), and the shot's first frame."""
        shot = max((c for c in self.backward.cuts if c <= index), default=0)
        before = [k for k in self.keyframes if shot <= k < index]
        return (max(before) if before else None), shot

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        carrier, last, shot = Carrier(), None, 0
        for n, frame in enumerate(self.model_colors.colorize(frames)):
            if frame.index in self.backward.cuts:
                carrier, last, shot = Carrier(), None, frame.index
                self.matchers.clear()
            elif n == 0:  # a resumed run: pick up the shot's keyframe before this point, carried from there
                last, shot = self.keyframe_before(frame.index)
                if last is not None:
                    carrier.start(self.backward.grays[last], self.backward.colors[last])
            bwd = self.backward.carried.pop(frame.index, None)
            fwd = matched = None
            if frame.index in self.keyframes:
                color = self.backward.colors[frame.index]
                carrier.start(frame.gray, color)
                last, fwd = frame.index, (color.ab, color.trust, 0)
                frame.anchored = True
                frame.ab = frame.ab * self.gain(frame.index)
            elif last is not None or bwd is not None:
                nearest = last if bwd is None or (last is not None and frame.index - last <= bwd[2]) \
                    else frame.index + bwd[2]
                frame.ab = frame.ab * self.gain(nearest)
                m_ab, m_conf = self.matcher(nearest).guide(frame.gray)
                matched = (m_ab, m_conf)
                if last is not None:
                    carrier.step(frame.gray)
                    carrier.reanchor(m_ab, m_conf * REANCHOR)
                    fwd = (carrier.ab, carrier.trust, frame.index - last)
            frame.ab, reach = blend(frame.gray, frame.ab, fwd, bwd, matched)
            self.share.setdefault(shot, []).append(reach)
            yield frame

    def report(self) -> list[str]:
        """Per shot with any keyframe color: what share came from keyframes."""
        strokes = [f"keyframe {i}: strokes, spread over {np.mean(c.trust):.0%} of its frame"
                   for i, c in sorted(self.backward.colors.items()) if c.strokes]
        return strokes + [f"shot from frame {first}: {np.mean(v):.0%} of its color from keyframes, the rest from "
                          "the model" for first, v in sorted(self.share.items()) if np.mean(v) > 0]


def blend(gray: np.ndarray, model_ab: np.ndarray, fwd: tuple | None, bwd: tuple | None,
          matched: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, float]:
    """GuideImage colors over the model's, and their share of the frame.

    Carried colors count by their trust (by distance too when two keyframes reach); where they
    fall short, the keyframe's color found again by feature matching; then holes take their own
    region's keyframe color (edge-aware fill); the model's color fills what is left.
    """
    if fwd is None and bwd is None:
        return model_ab, 0.0
    parts = [p for p in (fwd, bwd) if p is not None]
    if len(parts) == 2:
        (_, _, df), (_, _, db) = parts
        weights = (db / max(df + db, 1), df / max(df + db, 1)) if df + db else (1.0, 0.0)
    else:
        weights = (1.0,)
    out = np.zeros_like(model_ab)
    total = np.zeros(model_ab.shape[:2], np.float32)
    for (ab, trust, _), w in zip(parts, weights):
        t = np.clip(trust.astype(np.float32) / FULL_TRUST, 0.0, 1.0) * w
        out += ab.astype(np.float32) * t[..., None]
        total += t
    total = np.clip(total, 0.0, 1.0)
    if matched is not None:
        m_ab, m_conf = matched
        t = m_conf * (1.0 - total)
        out += m_ab * t[..., None]
        total += t
    if total.min() < 0.99:
        filled, around = fill_holes(gray, out / np.maximum(total, 1e-6)[..., None], total)
        t = around * (1.0 - total)
        out += filled * t[..., None]
        total += t
    out += model_ab * (1.0 - total)[..., None]
    return out, float(total.mean())
