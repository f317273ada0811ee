"""The conditional discriminator of the ``gan`` model (seed 004).

It judges (gray, ab) pairs at the generator's output resolution, so it sees
the same smooth chroma for real and generated pairs and can only tell them
apart by plausibility, not by sharpness. A PatchGAN (one real/fake logit per
overlapping patch) rather than the paper's VGG-16 + fully connected layers:
it is a fraction of the cost on a CPU and gives the generator a signal at
every place of the image.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..models.archs.base import AB_SCALE, normalize_gray


class PatchDiscriminator(nn.Module):
    """(gray 0..255, ab) at the same size -> patch logits."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        w = width

        def block(cin: int, cout: int, stride: int, norm: bool = True) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 4, stride=stride, padding=1, bias=not norm)] + \
                   ([nn.BatchNorm2d(cout)] if norm else []) + [nn.LeakyReLU(0.2, inplace=True)]

        self.net = nn.Sequential(*block(3, w, 2, norm=False), *block(w, 2 * w, 2), *block(2 * w, 4 * w, 1),
                                 nn.Conv2d(4 * w, 1, 3, padding=1))

    def forward(self, gray: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
        if gray.shape[-2:] != ab.shape[-2:]:
            gray = F.adaptive_avg_pool2d(gray, ab.shape[-2:])
        return self.net(torch.cat([normalize_gray(gray), ab / AB_SCALE], 1))


def discriminator_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """-log D(real) - log(1 - D(fake))."""
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))) / 2


def generator_loss(fake_logits: torch.Tensor, pred_ab: torch.Tensor, ab: torch.Tensor,
                   l1_lambda: float) -> dict[str, torch.Tensor]:
    """The paper's -log D(G(z)) + λ‖G(z) - y‖₁ (ab scaled to -1..1, as λ is meant for)."""
    adv = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    l1 = (pred_ab - ab).abs().mean() / AB_SCALE
    return {"adv": adv, "l1": l1 * AB_SCALE, "loss": adv + l1_lambda * l1}
