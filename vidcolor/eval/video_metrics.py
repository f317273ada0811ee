"""Temporal quality of a colorized video, measured against its color original.

Warping error (Lai et al. 2018): how much frame t, warped back along the
input's optical flow, differs from frame t-1 outside occlusions and motion
boundaries. CDC (Liu et al., TCVC): Jensen-Shannon distance between color
histograms of nearby frames. Both are computed for the original too, so a
colorizer is judged against how much the real footage itself changes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..pipeline.temporal import warp

CDC_STEPS = (1, 2, 4)


def flow_pair(prev_gray: np.ndarray, gray: np.ndarray, dis: cv2.DISOpticalFlow) -> tuple[np.ndarray, np.ndarray]:
    """Forward flow F (t-1 -> t) and the validity mask M for warping error."""
    fwd = dis.calc(prev_gray, gray, None)
    back = dis.calc(gray, prev_gray, None)
    back_at = warp(back, fwd)  # B̂: the backward flow seen from frame t-1
    occluded = ((fwd + back_at) ** 2).sum(-1) > 0.01 * ((fwd**2).sum(-1) + (back_at**2).sum(-1)) + 0.5
    gy_u, gx_u = np.gradient(fwd[..., 0])
    gy_v, gx_v = np.gradient(fwd[..., 1])
    grad2 = gx_u**2 + gy_u**2 + gx_v**2 + gy_v**2
    boundary = grad2 > 0.01 * (fwd**2).sum(-1) + 0.002
    return fwd, (~occluded & ~boundary).astype(np.float32)


def channel_histograms(rgb: np.ndarray) -> np.ndarray:
    return np.stack([np.bincount(rgb[..., c].ravel(), minlength=256) / rgb[..., c].size for c in range(3)])


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, in [0, 1]) between two histograms."""
    m = 0.5 * (p + q)

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float((a[nz] * np.log2(a[nz] / m[nz])).sum())

    return float(np.sqrt(max(0.0, 0.5 * kl(p) + 0.5 * kl(q))))


@dataclass
class TemporalScores:
    """Accumulates one video's temporal metrics frame by frame (bounded memory)."""

    warp_sum: float = 0.0
    warp_pairs: int = 0
    cdc: dict[int, list[float]] = field(default_factory=lambda: {d: [] for d in CDC_STEPS})
    prev: np.ndarray | None = None
    hists: deque = field(default_factory=lambda: deque(maxlen=max(CDC_STEPS) + 1))

    def add(self, rgb: np.ndarray, fwd: np.ndarray | None, mask: np.ndarray | None) -> None:
        """Frame t (uint8 RGB) with the input's flow and mask from t-1 (None at a start)."""
        if self.prev is not None and fwd is not None and mask.sum() > 0:
            cur = rgb.astype(np.float32) / 255.0
            warped = warp(cur, fwd)
            diff = ((warped - self.prev.astype(np.float32) / 255.0) ** 2).sum(-1)
            self.warp_sum += float((mask * diff).sum() / mask.sum())
            self.warp_pairs += 1
        self.prev = rgb
        h = channel_histograms(rgb)
        for d in CDC_STEPS:
            if len(self.hists) >= d:
                past = self.hists[-d]
                self.cdc[d].append(np.mean([js_distance(h[c], past[c]) for c in range(3)]))
        self.hists.append(h)

    @property
    def warping_error(self) -> float:
        return self.warp_sum / max(self.warp_pairs, 1)

    @property
    def cdc_value(self) -> float:
        return float(np.mean([np.mean(v) for v in self.cdc.values() if v])) if any(self.cdc.values()) else 0.0
