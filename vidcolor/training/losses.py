"""Losses: rebalanced soft cross-entropy over ab bins, plus an L1 on the decoded ab."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..models import ab_bins


def downsample_ab(ab: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Target ab at the network's output resolution (area average)."""
    return ab if ab.shape[-2:] == size else F.adaptive_avg_pool2d(ab, size)


def classification_loss(logits: torch.Tensor, ab: torch.Tensor, class_weights: torch.Tensor,
                        temperature: float, l1_weight: float) -> dict[str, torch.Tensor]:
    """Zhang et al.'s multinomial loss (soft targets, rebalanced) + λ·L1(annealed mean).

    The cross-entropy keeps the predicted distribution multimodal (vivid color);
    the L1 on the decoded ab keeps what is finally shown close to the truth.
    """
    ab = downsample_ab(ab, logits.shape[-2:])
    idx, w = ab_bins.soft_encode(ab)
    logp = F.log_softmax(logits.float(), dim=1)
    ce = -(logp.gather(1, idx) * w).sum(1)
    ce = (ce * class_weights[idx[:, 0]]).mean()
    out = {"ce": ce, "loss": ce}
    if l1_weight > 0:
        l1 = (ab_bins.annealed_mean(logits.float(), temperature) - ab).abs().mean()
        out["l1"] = l1
        out["loss"] = ce + l1_weight * l1
    return out


GAIN_EPS = 1.0  # ab units²: a picture with almost no color cannot weigh without bound


def gain_stats(pred_ab: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
    """Per picture (B, 3): mean |pred|², mean pred·truth, mean |truth|² (truth at pred's resolution).

    What the loss of any picture-wide gain g needs: the error of g·pred is |g·pred − truth|² =
    g²·A − 2g·B + C, so a gain can be fitted on these three numbers per picture alone.
    """
    ab = downsample_ab(ab, pred_ab.shape[-2:])
    return torch.stack([(pred_ab * pred_ab).sum(1).mean((1, 2)), (pred_ab * ab).sum(1).mean((1, 2)),
                        (ab * ab).sum(1).mean((1, 2))], 1)


def scene_gain_loss(gain_logit: torch.Tensor, stats: torch.Tensor) -> torch.Tensor:
    """Mean over pictures of ln(error with the gain / error of gray): the chroma gain over gray, the
    measure the gain is judged by, in nepers and negated (lower is better; 0 = as good as gray)."""
    g = torch.sigmoid(gain_logit)
    a, b, c = stats.unbind(1)
    err = (g * g * a - 2 * g * b + c).clamp(min=0)
    return torch.log((err + GAIN_EPS) / (c + GAIN_EPS)).mean()


REGRESSION_LOSSES = ("huber", "l1", "mse")


def regression_loss(pred_ab: torch.Tensor, ab: torch.Tensor, kind: str = "huber") -> dict[str, torch.Tensor]:
    """Huber (smooth L1, δ = 1 ab unit), L1 or MSE on ab (in ab units)."""
    ab = downsample_ab(ab, pred_ab.shape[-2:])
    if kind == "huber":
        loss = F.smooth_l1_loss(pred_ab, ab, beta=1.0)
    elif kind == "l1":
        loss = F.l1_loss(pred_ab, ab)
    elif kind == "mse":
        loss = F.mse_loss(pred_ab, ab) / 10.0  # scaled so its gradients are of L1's order
    else:
        raise ValueError(f"regression loss must be one of {REGRESSION_LOSSES}, not {kind!r}")
    return {"loss": loss, "l1": (pred_ab - ab).abs().mean().detach()}
