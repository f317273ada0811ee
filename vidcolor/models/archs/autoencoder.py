"""``autoencoder`` (seed 003, Horváth, Mátyás & Gurubi): Table I, trained from scratch.

Encoder conv2d_1..5 (64-128-128-256-256, three of them stride 2), bottleneck
conv2d_6..7 (512 at 1/8), decoder conv2d_8..13 with nearest-neighbour
UpSampling2D (x2) as in Keras, tanh out. All 3x3 "same" convolutions, no
BatchNorm, as in the table. Swish (the paper's best with Adam and mean
absolute error) or ReLU.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .base import ChromaNet, normalize_gray

# (out channels, stride) of conv2d_1 .. conv2d_13; "up" = UpSampling2D (2, 2)
TABLE_I = ((64, 2), (128, 1), (128, 2), (256, 1), (256, 2), (512, 1), (512, 1), (256, 1), (128, 1),
           "up", (64, 1), "up", (32, 1), (16, 1), (2, 1), "up")


@dataclass
class AutoencoderConfig:
    """Architecture of the autoencoder (stored in its checkpoints)."""

    activation: str = "swish"  # or "relu"
    head: str = "reg"


class Autoencoder(ChromaNet):
    """Gray (B, 1, H, W) in 0..255 -> ab pre-tanh at full resolution."""

    def __init__(self, config: AutoencoderConfig, pretrained: bool = True) -> None:
        super().__init__()
        if config.activation not in ("swish", "relu"):
            raise ValueError(f"activation must be swish or relu, not {config.activation!r}")
        self.config = config
        act = nn.SiLU if config.activation == "swish" else nn.ReLU
        layers: list[nn.Module] = []
        cin = 1
        last_conv = max(i for i, spec in enumerate(TABLE_I) if spec != "up")
        for i, spec in enumerate(TABLE_I):
            if spec == "up":
                layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
                continue
            cout, stride = spec
            layers.append(nn.Conv2d(cin, cout, 3, stride=stride, padding=1))
            if i != last_conv:  # the last convolution feeds tanh (in decode_ab)
                layers.append(act(inplace=True))
            cin = cout
        self.net = nn.Sequential(*layers)

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        return self.net(normalize_gray(gray))
