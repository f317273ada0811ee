"""``unet-cls`` (seed 002, Olah & Yang): a U-Net trained from scratch to classify ab bins.

Encoder: two 3x3 conv-BN-ReLU per level with 2x2 max-pooling between levels;
decoder: upsampling, concatenation with the encoder's same-level features (the
skip connections the paper credits for its best results), two convolutions.
The head gives logits over the quantized ab bins at half resolution (a bin
distribution per full-resolution pixel would not fit a CPU's memory budget
for training); decoding is the annealed mean. Training it with ``--rebalance
1`` gives the paper's "without class weights" variant (zoo: ``unet-cls-flat``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .. import ab_bins
from .base import ChromaNet, conv_bn_act, normalize_gray


@dataclass
class UNetClsConfig:
    """Architecture of unet-cls (stored in its checkpoints)."""

    widths: tuple[int, int, int, int, int] = (32, 64, 128, 256, 256)  # levels at strides 1 .. 16
    head: str = "cls"
    temperature: float = 0.38


def double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(conv_bn_act(cin, cout), conv_bn_act(cout, cout))


class UNetCls(ChromaNet):
    """Gray (B, 1, H, W) in 0..255 -> bin logits at (H/2, W/2)."""

    def __init__(self, config: UNetClsConfig, pretrained: bool = True) -> None:
        super().__init__()
        self.config = config
        w = config.widths
        self.down = nn.ModuleList([double_conv(1, w[0])] + [double_conv(a, b) for a, b in itertools.pairwise(w)])
        # decoder levels 8, 4, 2: input = upsampled deeper features + the skip at that level
        self.up = nn.ModuleList(double_conv(w[i + 1] + w[i], w[i]) for i in (3, 2, 1))
        self.head = nn.Conv2d(w[1], ab_bins.NUM_BINS, 1)

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        x = normalize_gray(gray)
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        y = skips[-1]
        for skip, block in zip((skips[3], skips[2], skips[1]), self.up):
            y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = block(torch.cat([y, skip], 1))
        return self.head(y)
