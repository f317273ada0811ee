"""Edge-aware upsampling of the network's chroma onto the working gray: one object, one color.

The classifier predicts ab at a quarter of the working size, and its colors wander within one object
(a sweater half orange, half gray, in blotches that follow the fabric's folds). Plain upsampling keeps
the blotches and lets a color cross an edge by a few cells. The fast guided filter (He & Sun 2015)
instead fits, in each window of the coarse grid, ab as a linear function of the gray, averages those
fits, and applies them to the gray at the working size: inside a region of even gray the color becomes
the region's mean, while where the gray has an edge the color follows it. A decoding setting
(``Decoding.chroma_smoothing``), chosen on the video validation sets (README, "On video").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Regularization of the fit, in (gray / 255)²: gray differences with a spread under ~0.1 (about 25 levels)
# count as one region whose color is averaged; larger ones are edges the color follows
SMOOTHING_EPS = 0.01


def box_mean(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over each (2r+1)² window, fewer cells at the picture's border (no padding counted)."""
    return F.avg_pool2d(x, 2 * radius + 1, stride=1, padding=radius, count_include_pad=False)


def guided_upsample(ab: torch.Tensor, gray: torch.Tensor, radius: int, eps: float = SMOOTHING_EPS) -> torch.Tensor:
    """(B, 2, h, w) coarse ab and (B, 1, H, W) gray 0..255 -> (B, 2, H, W) ab following the gray's edges.

    ``radius``: of the windows, in coarse cells (the network's output grid).
    """
    guide = gray.float() / 255.0
    coarse = F.interpolate(guide, size=ab.shape[-2:], mode="area")
    mean_g, mean_ab = box_mean(coarse, radius), box_mean(ab, radius)
    cov = box_mean(coarse * ab, radius) - mean_g * mean_ab
    var = box_mean(coarse * coarse, radius) - mean_g * mean_g
    slope = cov / (var + eps)
    offset = mean_ab - slope * mean_g
    size = guide.shape[-2:]
    slope = F.interpolate(box_mean(slope, radius), size=size, mode="bilinear", align_corners=False)
    offset = F.interpolate(box_mean(offset, radius), size=size, mode="bilinear", align_corners=False)
    return slope * guide + offset
