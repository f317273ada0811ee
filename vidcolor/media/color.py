"""Color math: sRGB <-> CIE Lab (OpenCV, float32) and video luma/chroma.

The network works in Lab, the video in Y'CbCr. The bridge is the gray value:
a black-and-white frame's luma is a gray sRGB value, whose Lab L is exact, and
the colorized picture is written back as new chroma beside the untouched luma.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Luma coefficients (Kr, Kb) by the matrix a stream is tagged with.
MATRICES = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """HxWx3 sRGB (uint8, or float in [0, 1]) to float32 Lab (L 0..100)."""
    if rgb.dtype == np.uint8:
        rgb = rgb.astype(np.float32) * (1.0 / 255.0)
    return cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.float32), cv2.COLOR_RGB2Lab)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """float32 Lab to sRGB float32 in [0, 1], clipped to the gamut."""
    rgb = cv2.cvtColor(np.ascontiguousarray(lab, dtype=np.float32), cv2.COLOR_Lab2RGB)
    return np.clip(rgb, 0.0, 1.0, out=rgb)


def shift_white_balance(rgb: np.ndarray, da: float, db: float) -> np.ndarray:
    """sRGB (uint8) with (da, db) added to every pixel's ab and L kept: another white balance of the same
    scene, which its gray version cannot reveal (b: blue to yellow, a: green to magenta)."""
    lab = rgb_to_lab(rgb)
    lab[..., 1] += da
    lab[..., 2] += db
    return to_uint8(lab_to_rgb(lab))


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """float [0, 1] image to uint8 with rounding."""
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(np.maximum(v, 0), 1 / 2.4) - 0.055)


def gray_to_L(gray: np.ndarray) -> np.ndarray:
    """Gray sRGB value (0..255, any dtype) to Lab L, for a neutral pixel."""
    y = _srgb_to_linear(np.asarray(gray, np.float32) / 255.0)
    f = np.where(y > 0.008856, np.cbrt(y), 7.787 * y + 16.0 / 116.0)
    return (116.0 * f - 16.0).astype(np.float32)


def L_to_gray(L: np.ndarray) -> np.ndarray:
    """Lab L to the gray sRGB value (float 0..255) that has that lightness."""
    L = np.asarray(L, np.float32)
    fy = (L + 16.0) / 116.0
    y = np.where(fy > 0.206893, fy**3, (fy - 16.0 / 116.0) / 7.787)
    return (np.clip(_linear_to_srgb(np.clip(y, 0, 1)), 0, 1) * 255.0).astype(np.float32)


def luma_to_gray(y: np.ndarray, full_range: bool) -> np.ndarray:
    """8-bit video luma to a gray value 0..255 (float32)."""
    y = y.astype(np.float32)
    if full_range:
        return y
    return np.clip((y - 16.0) * (255.0 / 219.0), 0.0, 255.0)


def luma_to_gray_at(y: np.ndarray, full_range: bool, width: int, height: int) -> np.ndarray:
    """The gray values of 8-bit luma at another size.

    Resizing first is cheaper at film sizes and equal to converting first, since both are linear;
    only sub-black luma (below 16) is clipped after averaging instead of before.
    """
    h, w = y.shape
    if w >= 4 * width and h >= 4 * height:
        # HD and larger: halve first in 8 bits (exact 2x2 means, rounded: cv2's fast path), so the float
        # area resize runs on a quarter of the pixels (1080p to 288x160: 4.4 -> 1.5 ms)
        y = cv2.resize(y, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return luma_to_gray(resize(y.astype(np.float32), width, height), full_range)


def _luma_L_table(full_range: bool) -> np.ndarray:
    codes = np.arange(256, dtype=np.float32)
    return gray_to_L(luma_to_gray(codes, full_range))


_LUMA_L = {False: _luma_L_table(False), True: _luma_L_table(True)}


def luma_to_L_at(y: np.ndarray, full_range: bool, width: int, height: int) -> np.ndarray:
    """Lab L of 8-bit luma at another size, via a 256-entry table.

    For writing chroma, where it runs on every frame: the area-averaged luma is
    rounded to whole codes (at most 0.3 L off), ten times cheaper than the exact
    float conversion; the luma written to the output is never touched by this.
    """
    small = y if y.shape == (height, width) else cv2.resize(y, (width, height), interpolation=cv2.INTER_AREA)
    return cv2.LUT(small, _LUMA_L[full_range])


@dataclass(frozen=True)
class ChromaSpec:
    """How chroma is written: the matrix and whether the range is full."""

    matrix: str = "bt601"
    full_range: bool = False


def rgb_to_chroma(rgb: np.ndarray, spec: ChromaSpec) -> tuple[np.ndarray, np.ndarray]:
    """float sRGB [0, 1] HxWx3 to 8-bit Cb, Cr planes for the given matrix/range."""
    kr, kb = MATRICES[spec.matrix]
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = kr * r + (1.0 - kr - kb) * g + kb * b
    u = (b - y) / (2.0 * (1.0 - kb))
    v = (r - y) / (2.0 * (1.0 - kr))
    scale = 255.0 if spec.full_range else 224.0
    cb = np.clip(128.0 + scale * u + 0.5, 0, 255).astype(np.uint8)
    cr = np.clip(128.0 + scale * v + 0.5, 0, 255).astype(np.uint8)
    return cb, cr


def resize(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Smooth resize: area when shrinking, bilinear when growing (never nearest)."""
    h, w = img.shape[:2]
    if (w, h) == (width, height):
        return img
    interp = cv2.INTER_AREA if width < w and height < h else cv2.INTER_LINEAR
    return cv2.resize(img, (width, height), interpolation=interp)


def combine(gray: np.ndarray, ab_small: np.ndarray) -> np.ndarray:
    """Original-resolution gray + low-resolution ab -> float RGB [0, 1] at full size."""
    h, w = gray.shape
    ab = resize(ab_small, w, h)
    lab = np.dstack([gray_to_L(gray), ab])
    return lab_to_rgb(lab)
