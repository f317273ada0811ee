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


def _tone(gray: np.ndarray, rng: np.random.Generator, look: FilmLook) -> np.ndarray:
    lo, hi = rng.uniform(*look.black_lift), rng.uniform(*look.white_roll)
    x = np.clip(gray / 255.0, 0.0, 1.0) ** rng.uniform(*look.gamma)
    return lo + x * (hi - lo)


def _vignette(gray: np.ndarray, rng: np.random.Generator, look: FilmLook) -> np.ndarray:
    h, w = gray.shape
    yy, xx = np.ogrid[-1:1:complex(0, h), -1:1:complex(0, w)]
    r2 = (xx * xx + yy * yy) / 2.0
    return gray * (1.0 - rng.uniform(*look.vignette) * r2).astype(np.float32)


def _grain(gray: np.ndarray, rng: np.random.Generator, look: FilmLook, scale: float) -> np.ndarray:
    noise = rng.standard_normal(gray.shape).astype(np.float32)
    clump = rng.uniform(*look.grain_clump) * scale
    if clump > 0.3:
        noise = cv2.GaussianBlur(noise, (0, 0), clump)
        noise /= max(float(noise.std()), 1e-6)
    mid = 0.4 + 0.6 * np.sin(np.pi * np.clip(gray / 255.0, 0, 1))  # grain shows most in the midtones
    return gray + rng.uniform(*look.grain) * mid * noise


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


def _jpeg(gray: np.ndarray, rng: np.random.Generator, look: FilmLook) -> np.ndarray:
    quality = int(rng.integers(look.jpeg_quality[0], look.jpeg_quality[1] + 1))
    ok, buf = cv2.imencode(".jpg", np.clip(gray + 0.5, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE).astype(np.float32) if ok else gray


def degrade_film(gray: np.ndarray, rng: np.random.Generator, look: FilmLook = FilmLook()) -> np.ndarray:
    """A film-like version of a gray picture (float 0..255, H x W), same size, float32 0..255."""
    scale = min(gray.shape) / look.reference
    g = np.asarray(gray, np.float32)
    sigma = rng.uniform(*look.blur_sigma) * scale
    if sigma > 0.3:
        g = cv2.GaussianBlur(g, (0, 0), sigma)
    g = _tone(g, rng, look)
    g = _vignette(g, rng, look) * rng.uniform(*look.flicker)
    g = _grain(g, rng, look, scale)
    g = _dust_and_scratches(g, rng, look, scale)
    return _jpeg(np.clip(g, 0.0, 255.0), rng, look)


DEGRADATIONS = {"film": degrade_film}
