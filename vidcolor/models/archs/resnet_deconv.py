"""``resnet-deconv`` (seed 001, Monaco & Ziliotto): a ResNet-18-style encoder, then deconvolutions.

The paper takes PyTorch's ResNet-18 with a one-channel first layer and keeps
its mid-level features; here the same layout (7x7 stem, basic blocks 64-128-256,
i.e. ResNet-18 up to layer3) is trained from scratch, since no ImageNet ResNet
can be downloaded. No pooling anywhere (the stem's max-pool is dropped, strides
do the downsampling); every convolution and deconvolution is followed by
BatchNorm and ReLU; transposed convolutions bring the features back to the
full input resolution, where a last convolution gives ab.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .base import ChromaNet, conv_bn_act, normalize_gray


@dataclass
class ResNetDeconvConfig:
    """Architecture of resnet-deconv (stored in its checkpoints)."""

    widths: tuple[int, int, int] = (64, 128, 256)  # ResNet-18's layer1..layer3
    blocks: tuple[int, int, int] = (2, 2, 2)
    deconv: tuple[int, int, int] = (128, 64, 32)
    head: str = "reg"


class BasicBlock(nn.Module):
    """ResNet's two 3x3 convolutions with a shortcut."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = conv_bn_act(cin, cout, stride=stride)
        self.conv2 = nn.Sequential(nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout else
                         nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


def deconv_bn_relu(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResNetDeconv(ChromaNet):
    """Gray (B, 1, H, W) in 0..255 -> ab pre-tanh at full resolution."""

    def __init__(self, config: ResNetDeconvConfig, pretrained: bool = True) -> None:
        super().__init__()
        self.config = config
        w1, _w2, w3 = config.widths
        layers: list[nn.Module] = [conv_bn_act(1, w1, kernel=7, stride=2)]
        cin = w1
        for i, (width, n) in enumerate(zip(config.widths, config.blocks)):
            for j in range(n):
                layers.append(BasicBlock(cin, width, 2 if (j == 0 and i > 0) else 1))
                cin = width
        self.encoder = nn.Sequential(*layers)  # stride 8, trained from scratch
        d1, d2, d3 = config.deconv
        self.decoder = nn.Sequential(deconv_bn_relu(w3, d1), deconv_bn_relu(d1, d2), deconv_bn_relu(d2, d3))
        self.out = nn.Conv2d(d3, 2, 3, padding=1)

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        return self.out(self.decoder(self.encoder(normalize_gray(gray))))
