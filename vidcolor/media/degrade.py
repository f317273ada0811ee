"""Film-like degradation of gray pictures: what archival film looks like, seeded and reproducible.

A scanned film frame is not a clean gray photo: grain clumps, optics are soft,
blacks are lifted and whites roll off, dust and scratches sit on the print,
exposure flickers, corners darken, and the transfer was compressed. Training
sees such inputs against clean color targets (DeOldify's "crappify" idea), and
``vidcolor eval --degrade film`` measures any folder the same way. Every draw
comes from the generator passed in, so a seed gives the same picture.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class FilmLook:
    """Ranges the degradations are drawn from (uniformly), for a picture of ``reference`` px short side."""

    reference: float = 176.0  # sizes below (blur, grain clumps, dust) are for this short side
    blur_sigma: tuple[float, float] = (0.0, 1.2)
    black_lift: tuple[float, float] = (0.0, 40.0)  # gray level the blacks are raised to
    white_roll: tuple[float, float] = (200.0, 255.0)  # gray level the whites are pulled down to
    gamma: tuple[float, float] = (0.75, 1.35)
    vignette: tuple[float, float] = (0.0, 0.45)  # darkening at the corners
    flicker: tuple[float, float] = (0.85, 1.15)  # exposure gain
    grain: tuple[float, float] = (2.0, 14.0)  # grain amplitude in gray levels
    grain_clump: tuple[float, float] = (0.4, 1.2)  # blur of the grain (its clump size)
    dust: tuple[int, int] = (0, 25)  # specks
    scratches: tuple[int, int] = (0, 3)  # vertical lines
    jpeg_quality: tuple[int, int] = (30, 90)


def seed_for(name: str, salt: int = 0) -> int:
    """A stable seed from a name (a file's), so a folder degrades the same way every time."""
    return int.from_bytes(hashlib.sha256(f"{salt}:{name}".encode()).digest()[:8], "big")


def _tone(gray: np.ndarray, lo: float, hi: float, gamma: float) -> np.ndarray:
    """Lifted blacks (to ``lo``), rolled-off whites (to ``hi``), a gamma."""
    x = np.clip(gray / 255.0, 0.0, 1.0) ** gamma
    return lo + x * (hi - lo)


def _vignette(gray: np.ndarray, strength: float) -> np.ndarray:
    h, w = gray.shape
    yy, xx = np.ogrid[-1:1:complex(0, h), -1:1:complex(0, w)]
    r2 = (xx * xx + yy * yy) / 2.0
    return gray * (1.0 - strength * r2).astype(np.float32)


def _grain(gray: np.ndarray, noise: np.ndarray, clump: float, amplitude: float) -> np.ndarray:
    """``noise`` (standard normal, the picture's shape) clumped by a blur of ``clump`` px, strongest in the midtones."""
    if clump > 0.3:
        noise = cv2.GaussianBlur(noise, (0, 0), clump)
        noise /= max(float(noise.std()), 1e-6)
    mid = 0.4 + 0.6 * np.sin(np.pi * np.clip(gray / 255.0, 0, 1))  # grain shows most in the midtones
    return gray + amplitude * mid * noise


def _dust_and_scratches(gray: np.ndarray, rng: np.random.Generator, look: FilmLook, scale: float) -> np.ndarray:
    h, w = gray.shape
    out = gray.copy()
    for _ in range(rng.integers(look.dust[0], look.dust[1] + 1)):
        center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        radius = max(1, round(rng.uniform(0.5, 2.0) * scale))
        cv2.circle(out, center, radius, float(rng.choice([8.0, 245.0])), -1)
    for _ in range(rng.integers(look.scratches[0], look.scratches[1] + 1)):
        x = int(rng.integers(0, w))
        cv2.line(out, (x, 0), (x + int(rng.integers(-3, 4)), h - 1), float(rng.choice([20.0, 230.0])),
                 max(1, round(0.6 * scale)))
    return out


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", np.clip(gray + 0.5, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE).astype(np.float32) if ok else gray


def _blur(gray: np.ndarray, sigma: float) -> np.ndarray:
    g = np.asarray(gray, np.float32)
    return cv2.GaussianBlur(g, (0, 0), sigma) if sigma > 0.3 else g


def degrade_film(gray: np.ndarray, rng: np.random.Generator, look: FilmLook = FilmLook()) -> np.ndarray:
    """A film-like version of a gray picture (float 0..255, H x W), same size, float32 0..255."""
    scale = min(gray.shape) / look.reference
    g = _blur(gray, rng.uniform(*look.blur_sigma) * scale)
    g = _tone(g, rng.uniform(*look.black_lift), rng.uniform(*look.white_roll), rng.uniform(*look.gamma))
    g = _vignette(g, rng.uniform(*look.vignette)) * rng.uniform(*look.flicker)
    noise = rng.standard_normal(g.shape).astype(np.float32)
    g = _grain(g, noise, rng.uniform(*look.grain_clump) * scale, rng.uniform(*look.grain))
    g = _dust_and_scratches(g, rng, look, scale)
    return _jpeg(np.clip(g, 0.0, 255.0), int(rng.integers(look.jpeg_quality[0], look.jpeg_quality[1] + 1)))


class FilmReel:
    """Film-like frames of one clip: what a print and its transfer fix for a whole reel (softness, tone,
    vignetting, grain size and strength, compression) is drawn once; what changes from frame to frame
    (the grain itself, dust, scratches, the exposure's flicker) is drawn for each frame. Seeded like
    ``degrade_film``: one seed, the same reel."""

    def __init__(self, rng: np.random.Generator, look: FilmLook = FilmLook()) -> None:
        self.rng, self.look = rng, look
        self.blur = rng.uniform(*look.blur_sigma)
        self.tone = (rng.uniform(*look.black_lift), rng.uniform(*look.white_roll), rng.uniform(*look.gamma))
        self.vignette = rng.uniform(*look.vignette)
        self.flicker = rng.uniform(0.0, max(abs(f - 1.0) for f in look.flicker))  # the reel's flicker depth
        self.clump, self.grain = rng.uniform(*look.grain_clump), rng.uniform(*look.grain)
        self.quality = int(rng.integers(look.jpeg_quality[0], look.jpeg_quality[1] + 1))

    def __call__(self, gray: np.ndarray) -> np.ndarray:
        """The reel's next frame (float 0..255, H x W), float32 0..255."""
        scale = min(gray.shape) / self.look.reference
        g = _vignette(_tone(_blur(gray, self.blur * scale), *self.tone), self.vignette)
        g = g * (1.0 + self.flicker * self.rng.uniform(-1.0, 1.0))
        g = _grain(g, self.rng.standard_normal(g.shape).astype(np.float32), self.clump * scale, self.grain)
        g = _dust_and_scratches(g, self.rng, self.look, scale)
        return _jpeg(np.clip(g, 0.0, 255.0), self.quality)


DEGRADATIONS = {"film": degrade_film}
"""Film-like looks for photos, by name (``vidcolor eval --degrade``)."""

REELS = {"film": FilmReel}
"""The same looks for videos: one drawn per clip, its grain, dust and flicker per frame."""
