"""Color you direct: keyframes an artist colored, carried through their shot.

A keyframe is a color image named by the 0-based index of the frame it colors (``120.png``,
``000120.jpg``); only its chroma is used, on the film's own luminance. Its color is carried
forward and backward through its shot along the optical flow of the film's luminance, with a
per-pixel confidence (forward-backward consistency times luminance agreement, fading with
distance), never across a cut. Two keyframes in a shot are blended by distance; pixels nothing
reliable reaches, and shots without a keyframe, keep the automatic model's color. The temporal
stage still runs on top.

The backward direction needs the frames before a keyframe: a first pass over the film finds the
cuts and, at each keyframe, carries its color back to the previous keyframe or the shot's start,
keeping only those frames' working-size gray meanwhile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import VidcolorError
from ..media.color import rgb_to_lab
from ..media.decode import decode
from ..media.frames import Frame
from ..media.images import IMAGE_SUFFIXES, read_image
from ..media.probe import MediaInfo
from ..models.colorizer import Colorizer
from .colorize import gray_small
from .cuts import CutDetector
from .settings import Execution, Keyframe, Recipe
from .sources import ModelColors
from .temporal import consistency, make_flow, pixel_grid, warp

LUMA_SIGMA = 14.0  # gray levels: a carried pixel that no longer looks like the frame loses trust
FADE = 0.995  # trust kept per frame carried, so far-away keyframes count less
FULL_TRUST = 0.5  # from this trust on, a keyframe's color is used alone (below, mixed with the model's)


def load_keyframes(folder: Path, info: MediaInfo) -> tuple[Keyframe, ...]:
    """The keyframes in a folder, checked before any work: one line naming the file and the problem."""
    if not folder.is_dir():
        raise VidcolorError("keyframes must be a folder of images named by frame index", folder)
    keys: dict[int, Keyframe] = {}
    aspect = info.width * float(info.sar or 1) / info.height
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise VidcolorError("not an image (keyframes are .png, .jpg, ... named by frame index)", path)
        if not path.stem.isdigit():
            raise VidcolorError("the file name must be the index of the frame it colors (e.g. 120.png)", path)
        index = int(path.stem)
        if info.frames and index >= info.frames:
            raise VidcolorError(f"frame {index} is past the end (the film has {info.frames} frames, 0 to "
                                f"{info.frames - 1})", path)
        if index in keys:
            raise VidcolorError(f"frame {index} has two keyframes ({keys[index].path.name} and {path.name})", path)
        rgb = read_image(path)  # unreadable: one line from read_image
        h, w = rgb.shape[:2]
        if abs(w / h - aspect) > 0.03 * aspect:
            raise VidcolorError(f"keyframe is {w}x{h} (aspect {w / h:.3f}), the film's frames are "
                                f"{info.width}x{info.height} (aspect {aspect:.3f})", path)
        keys[index] = Keyframe(index, hashlib.sha256(path.read_bytes()).hexdigest(), path)
    if not keys:
        raise VidcolorError("no keyframes in the folder", folder)
    return tuple(keys[i] for i in sorted(keys))


def keyframe_ab(keyframe: Keyframe, shape: tuple[int, int]) -> np.ndarray:
    """The keyframe's chroma (Lab ab) at the working size."""
    h, w = shape
    rgb = cv2.resize(read_image(keyframe.path), (w, h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb_to_lab(rgb)[..., 1:])


class Carrier:
    """Carries chroma from frame to frame along the luminance's flow, with a per-pixel trust."""

    def __init__(self) -> None:
        self.flow = make_flow()
        self.gray: np.ndarray | None = None
        self.ab: np.ndarray | None = None
        self.trust: np.ndarray | None = None

    def start(self, gray: np.ndarray, ab: np.ndarray) -> None:
        self.gray, self.ab, self.trust = gray, ab, np.ones(gray.shape, np.float32)

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


def first_pass(path: Path, keyframes: dict[int, Keyframe], render_size: int) -> Backward:
    """Find the cuts, and carry each keyframe's color back through its shot (to the previous keyframe)."""
    found = Backward()
    cuts = CutDetector()
    since: list[tuple[int, np.ndarray]] = []  # grays since the last cut or keyframe
    for frame in decode(path):
        gray = gray_small(frame, render_size)
        if cuts(gray):
            found.cuts.add(frame.index)
            since = []
        if frame.index in keyframes:
            carrier = Carrier()
            carrier.start(gray, keyframe_ab(keyframes[frame.index], gray.shape))
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
        self.model_colors = ModelColors(model, recipe, execution)
        self.keyframes = {k.index: k for k in recipe.keyframes}
        self.backward = backward
        self.share: dict[int, list[float]] = {}  # shot's first frame -> share of each frame from keyframes

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        carrier, last, shot = Carrier(), None, 0
        for frame in self.model_colors.colorize(frames):
            if frame.index in self.backward.cuts:
                carrier, last, shot = Carrier(), None, frame.index
            fwd = None
            if frame.index in self.keyframes:
                ab = keyframe_ab(self.keyframes[frame.index], frame.gray.shape)
                carrier.start(frame.gray, ab)
                last, fwd = frame.index, (ab, np.ones(frame.gray.shape, np.float32), 0)
                frame.anchored = True
            elif last is not None:
                ab, trust = carrier.step(frame.gray)
                fwd = (ab, trust, frame.index - last)
            bwd = self.backward.carried.pop(frame.index, None)
            frame.ab, reach = blend(frame.ab, fwd, bwd)
            self.share.setdefault(shot, []).append(reach)
            yield frame

    def report(self) -> list[str]:
        """Per shot with any keyframe color: what share came from keyframes."""
        return [f"shot from frame {first}: {np.mean(v):.0%} of its color from keyframes, the rest from the model"
                for first, v in sorted(self.share.items()) if np.mean(v) > 0]


def blend(model_ab: np.ndarray, fwd: tuple | None, bwd: tuple | None) -> tuple[np.ndarray, float]:
    """Keyframe colors (weighted by trust, and by distance when two reach) over the model's; and their share."""
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
    out += model_ab * (1.0 - total)[..., None]
    return out, float(total.mean())
