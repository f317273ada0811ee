"""Chroma spread along the luminance, within regions and not across strong edges.

Two uses, one idea (color follows lightness: neighbours of similar gray get similar color):

- ``spread_strokes``: a gray frame with a few color strokes painted on it becomes a full chroma
  map with a per-pixel reach (Levin, Lischinski & Weiss 2004, "Colorization using optimization",
  solved at the working size). The affinity of two neighbours falls with their gray difference
  on the scale of the local variance (as in the paper) capped so a strong edge stops the color;
  a weak pull towards "no stroke here" makes the reach fade far from every stroke, so regions no
  stroke reaches are left to the automatic model instead of being flooded with the nearest stroke.
- ``fill_holes``: in a carried frame, pixels nothing reliable reached (disocclusions, a flow that
  failed) take the trusted color of their own region, by a normalized guided filter on the gray
  (He et al. 2010): fast enough for every frame.
"""

from __future__ import annotations

import cv2
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

SIGMA_FLOOR = 0.01  # gray (0..1): the affinity's scale in flat regions (grain below this is ignored)
SIGMA_CAP = 0.03  # gray (0..1): the largest scale, so an edge of ~0.1 and more stops the color
FADE_LENGTH = 0.2  # of the picture's short side: how far a stroke's reach carries within a region
STROKE_WEIGHT = 1e3  # how hard a stroked pixel holds its color (against the smoothness term)
STROKE_REACH = 0.3  # reach at which a spread stroke counts fully (below, mixed with the model's color)
FILL_RADIUS = 8  # working-size pixels a hole is filled from
FILL_EPS = 0.02**2  # guided filter's edge threshold (gray 0..1, squared)


def local_sigma2(gray: np.ndarray) -> np.ndarray:
    """Per-pixel variance of the gray in its 3x3 window (Levin's sigma_r^2), floored and capped."""
    mean = cv2.blur(gray, (3, 3), borderType=cv2.BORDER_REFLECT)
    var = cv2.blur(gray * gray, (3, 3), borderType=cv2.BORDER_REFLECT) - mean * mean
    return np.clip(0.6 * var, SIGMA_FLOOR**2, SIGMA_CAP**2)


def affinity_laplacian(gray: np.ndarray) -> sp.csr_matrix:
    """The graph Laplacian of the 4-neighbour grid weighted by gray similarity (symmetric, PSD)."""
    h, w = gray.shape
    s2 = local_sigma2(gray)
    index = np.arange(h * w).reshape(h, w)
    rows, cols, vals = [], [], []
    for a, b, ga, gb, sa, sb in (
        (index[:, :-1], index[:, 1:], gray[:, :-1], gray[:, 1:], s2[:, :-1], s2[:, 1:]),
        (index[:-1, :], index[1:, :], gray[:-1, :], gray[1:, :], s2[:-1, :], s2[1:, :]),
    ):
        wgt = np.exp(-((ga - gb) ** 2) / (sa + sb)).ravel()
        rows += [a.ravel(), b.ravel()]
        cols += [b.ravel(), a.ravel()]
        vals += [-wgt, -wgt]
    off = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(h * w, h * w))
    return sp.diags(-np.asarray(off.sum(1)).ravel()) + off


def spread_strokes(gray: np.ndarray, ab: np.ndarray, strokes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strokes' chroma spread over the picture along its luminance, and each pixel's reach (0..1).

    ``gray`` is the picture's gray (0..255), ``ab`` its Lab chroma (read only where ``strokes``
    is set). Returns the spread chroma (the strokes' own color inside the region they reach) and
    how strongly the strokes reach each pixel (1 on a stroke, falling with distance, ~0 beyond a
    strong edge).
    """
    h, w = gray.shape
    g = gray.astype(np.float64) / 255.0
    fade = 1.0 / (FADE_LENGTH * min(h, w)) ** 2
    mask = strokes.ravel().astype(np.float64)
    system = (affinity_laplacian(g) + sp.diags(fade + STROKE_WEIGHT * mask)).tocsc()
    rhs = STROKE_WEIGHT * mask[:, None] * np.column_stack([np.ones(h * w), ab.reshape(-1, 2)])
    solved = splu(system).solve(rhs)
    reach = np.clip(solved[:, 0], 0.0, 1.0)
    spread = solved[:, 1:] / np.maximum(solved[:, :1], 1e-9)  # a reach-weighted mean of the strokes' colors
    return spread.reshape(h, w, 2).astype(np.float32), reach.reshape(h, w).astype(np.float32)


def stroke_trust(reach: np.ndarray) -> np.ndarray:
    """How much a spread stroke's color counts at each pixel."""
    return np.clip(reach / STROKE_REACH, 0.0, 1.0).astype(np.float32)


def guided(gray: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter with a gray guide, for an HxWxC source (box filters, O(1) per pixel)."""
    k = (2 * radius + 1, 2 * radius + 1)
    box = lambda x: cv2.boxFilter(x, -1, k, borderType=cv2.BORDER_REFLECT)  # noqa: E731
    mean_i = box(gray)
    var_i = box(gray * gray) - mean_i * mean_i
    mean_p = box(src)
    cov = box(src * gray[..., None]) - mean_i[..., None] * mean_p
    a = cov / (var_i + eps)[..., None]
    b = mean_p - a * mean_i[..., None]
    return box(a) * gray[..., None] + box(b)


def fill_holes(gray: np.ndarray, ab: np.ndarray, trust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The trusted chroma of each pixel's own region, and how much trusted color was around it (0..1).

    A normalized guided filter: the filter of trust-weighted chroma over the filter of the trust,
    both guided by the gray, so color comes from neighbours on the same side of an edge.
    """
    g = gray.astype(np.float32) * (1.0 / 255.0)
    t = trust.astype(np.float32)
    both = guided(g, np.dstack([ab.astype(np.float32) * t[..., None], t]), FILL_RADIUS, FILL_EPS)
    weight = np.clip(both[..., 2], 0.0, 1.0)
    filled = both[..., :2] / np.maximum(both[..., 2:], 1e-3)
    return filled, weight
