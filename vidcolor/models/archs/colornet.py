"""``colornet`` (seed 000, Bagaria & Tatwawadi): hypercolumns + UpConv-Net + Shallow-Net.

Feature-Net: the pretrained EfficientNet-Lite0 (fine-tuned), tapped at four
stages as the paper taps four VGG-16 layers. UpConv-Net: per tap, a 1x1
convolution compresses the features (dropping redundant ones) and they are
rescaled to one common size (half the input, where the paper uses the full
224 px: the 2-core CPU budget). Shallow-Net: the paper's three layers
(conv 64, pool, conv 128, pool, conv 2, tanh), so chroma comes out at 1/8.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ..efficientnet_lite0 import TAP_CHANNELS, feature_encoder
from .base import ChromaNet, conv_bn_act, normalize_gray


@dataclass
class ColorNetConfig:
    """Architecture of colornet (stored in its checkpoints)."""

    compress: tuple[int, int, int, int] = (32, 32, 64, 64)  # UpConv-Net channels for taps at 1/4 .. 1/32
    shallow: tuple[int, int] = (64, 128)
    head: str = "reg"


class ColorNet(ChromaNet):
    """Gray (B, 1, H, W) in 0..255 -> ab pre-tanh at (H/8, W/8)."""

    def __init__(self, config: ColorNetConfig, pretrained: bool = True) -> None:
        super().__init__()
        self.config = config
        self.encoder = feature_encoder(pretrained)
        self.upconv = nn.ModuleList(conv_bn_act(c, k, kernel=1) for c, k in zip(TAP_CHANNELS[1:], config.compress))
        c1, c2 = config.shallow
        self.shallow = nn.Sequential(
            conv_bn_act(sum(config.compress), c1), nn.MaxPool2d(2),
            conv_bn_act(c1, c2), nn.MaxPool2d(2),
            nn.Conv2d(c2, 2, 3, padding=1),
        )

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        taps = self.encoder.features(normalize_gray(gray).expand(-1, 3, -1, -1))[1:]
        size = (gray.shape[-2] // 2, gray.shape[-1] // 2)
        hyper = [F.interpolate(up(t), size=size, mode="bilinear", align_corners=False)
                 for up, t in zip(self.upconv, taps)]
        return self.shallow(torch.cat(hyper, 1))
