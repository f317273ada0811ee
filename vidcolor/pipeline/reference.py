"""Color from a reference photo: a color still of similar content guides the film's colors.

The photo and each frame are described by the ImageNet-pretrained EfficientNet-Lite0's features
(strides 16 and 32, on their gray), every frame location is matched to its most similar location
of the photo (cosine similarity), and the photo's color there is taken where the match is
confident (similar features and similar lightness); the automatic model colors the rest. Only the
photo's chroma is used, on the film's own luminance; the temporal stage runs on top.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..media.color import gray_to_L, rgb_to_lab
from ..media.frames import Frame
from ..media.images import gray_of, read_image
from ..models.colorizer import Colorizer
from ..models.efficientnet_lite0 import feature_encoder, normalize
from .colorize import colorize_grays, render_shape
from .settings import Execution, GuideImage, InferenceConfig, Recipe
from .sources import ModelColors, chroma_gain

SIMILAR = (0.55, 0.85)  # cosine similarity from which a match counts at all, and counts fully
LIGHTNESS_SIGMA = 18.0  # Lab L: a match whose lightness differs this much counts about a third


@lru_cache(maxsize=1)
def shared_encoder() -> torch.nn.Module:
    """The pretrained feature encoder, loaded once per process (matchers only read it)."""
    return feature_encoder(pretrained=True).eval()


class Matcher:
    """Semantic features of gray pictures, and a color picture's colors where others resemble it.

    Built from the color picture's gray (0..255) and Lab chroma at the working size, and a weight
    per location (how far its color may be trusted: 1 for a photo, the reach of a stroke keyframe).
    """

    def __init__(self, gray: np.ndarray, ab: np.ndarray, weight: np.ndarray | None = None) -> None:
        self.encoder = shared_encoder()
        feats = self.features(gray)
        fh, fw = feats.shape[1:]
        L = gray_to_L(gray)
        weight = np.ones(gray.shape, np.float32) if weight is None else weight
        lab = cv2.resize(np.dstack([L, ab, weight]).astype(np.float32), (fw, fh), interpolation=cv2.INTER_AREA)
        self.ref_feats = feats.reshape(feats.shape[0], -1)  # (C, M)
        self.ref_lab = lab.reshape(-1, 4)  # (M, L a b weight)

    @classmethod
    def from_photo(cls, path: Path, render_size: int) -> Matcher:
        """A matcher for a color photo, seen at the working size."""
        rgb = read_image(path)
        h, w = render_shape(*rgb.shape[:2], render_size)
        rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
        return cls(gray_of(rgb).astype(np.float32), rgb_to_lab(rgb)[..., 1:])

    @torch.inference_mode()
    def features(self, gray: np.ndarray) -> torch.Tensor:
        """(C, h/16, w/16) unit-length features: stride 16 beside the upsampled stride 32."""
        x = normalize(torch.from_numpy(np.ascontiguousarray(gray, np.float32))[None, None].expand(1, 3, -1, -1))
        *_, f16, f32 = self.encoder.features(x)
        f32 = F.interpolate(f32, size=f16.shape[-2:], mode="bilinear", align_corners=False)
        both = torch.cat([F.normalize(f16, dim=1), F.normalize(f32, dim=1)], 1)[0]
        return F.normalize(both, dim=0)

    def guide(self, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The reference's ab matched to this gray picture, and the match's confidence, at its size."""
        feats = self.features(gray)
        c, fh, fw = feats.shape
        sim = feats.reshape(c, -1).T @ self.ref_feats  # (N, M)
        best, where = sim.max(1)
        ref = self.ref_lab[where.numpy()]
        small_L = cv2.resize(gray_to_L(gray), (fw, fh), interpolation=cv2.INTER_AREA).reshape(-1)
        lo, hi = SIMILAR
        conf = (np.clip((best.numpy() - lo) / (hi - lo), 0, 1) * ref[:, 3]
                * np.exp(-((ref[:, 0] - small_L) / LIGHTNESS_SIGMA) ** 2))
        h, w = gray.shape
        ab = cv2.resize(ref[:, 1:3].reshape(fh, fw, 2).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        conf = cv2.resize(conf.reshape(fh, fw).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        return ab, cv2.GaussianBlur(conf, (0, 0), 2.0)


@lru_cache(maxsize=8)
def reference_gain(path: Path, model: Colorizer, config: InferenceConfig) -> float:
    """How much of the model's chroma the photo bears out: the model on the photo's gray against its colors.
    Once per photo, model and settings (a folder of stills with one reference runs the model on it once)."""
    rgb = read_image(path)
    h, w = render_shape(*rgb.shape[:2], config.render_size)
    rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
    predicted = colorize_grays(model, [gray_of(rgb).astype(np.float32)], config)[0]
    return chroma_gain(predicted, rgb_to_lab(rgb)[..., 1:])


@lru_cache(maxsize=4)
def matcher_for(reference: Path, render_size: int) -> Matcher:
    """One Matcher per reference and working size in a process: a batch of stills encodes it once."""
    return Matcher.from_photo(reference, render_size)


class ReferenceColors:
    """The color source for a film with reference photos: their colors where frames match, the model's elsewhere.

    One photo guides every shot; a folder of them (named by frame index) guides each shot by the
    photo named inside it (the nearest one if several), and shots without one keep the model's color.
    """

    def __init__(self, model: Colorizer, recipe: Recipe, execution: Execution,
                 shots: list[tuple[int, int]] | None = None) -> None:
        self.model_colors = ModelColors(model, recipe, execution, every_frame=True)
        self.inference = recipe.inference
        self.render_size = recipe.inference.render_size
        self.references = recipe.reference
        self.whole_film = len(self.references) == 1 and self.references[0].index < 0
        self.firsts = [first for first, _ in shots or [(0, 0)]]
        self.shares: dict[str, list[float]] = {}

    def reference_at(self, index: int) -> GuideImage | None:
        """The photo guiding this frame: the film's one, or the one named inside its shot (nearest)."""
        if self.whole_film:
            return self.references[0]
        shot = bisect.bisect_right(self.firsts, index) - 1
        first = self.firsts[shot]
        end = self.firsts[shot + 1] if shot + 1 < len(self.firsts) else None
        inside = [r for r in self.references if r.index >= first and (end is None or r.index < end)]
        return min(inside, key=lambda r: abs(r.index - index)) if inside else None

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        for frame in self.model_colors.colorize(frames):
            reference = self.reference_at(frame.index)
            if reference is not None:
                ab, conf = matcher_for(reference.path, self.render_size).guide(frame.gray)
                model_ab = frame.ab * reference_gain(reference.path, self.model_colors.model, self.inference)
                frame.ab = ab * conf[..., None] + model_ab * (1.0 - conf[..., None])
                self.shares.setdefault(reference.path.name, []).append(float(conf.mean()))
            yield frame

    def report(self) -> list[str]:
        if self.whole_film:
            share = np.mean(next(iter(self.shares.values()), [0.0]))
            return [f"{share:.0%} of the color from the reference photo, the rest from the model"]
        return [f"reference {name}: {len(v)} frames guided, {np.mean(v):.0%} of their color from it"
                for name, v in self.shares.items()]
