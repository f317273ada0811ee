"""The ECCV16 colorization network (Zhang, Isola & Efros 2016), random weights, for timing only.

VGG-style: eight conv blocks (dilated in 5 and 6), BatchNorm, a transposed
convolution back to 1/4 resolution and a 313-way classifier per pixel.
"""

from __future__ import annotations

from torch import nn


def block(cin: int, cout: int, n: int, stride_last: int = 1, dilation: int = 1) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for i in range(n):
        stride = stride_last if i == n - 1 else 1
        layers += [nn.Conv2d(cin if i == 0 else cout, cout, 3, stride, padding=dilation, dilation=dilation),
                   nn.ReLU(inplace=True)]
    return [*layers, nn.BatchNorm2d(cout)]


class ECCV16(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            *block(1, 64, 2, 2), *block(64, 128, 2, 2), *block(128, 256, 3, 2), *block(256, 512, 3),
            *block(512, 512, 3, dilation=2), *block(512, 512, 3, dilation=2), *block(512, 512, 3),
            nn.ConvTranspose2d(512, 256, 4, 2, 1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(256, 256, 3, 1, 1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 313, 1),
        )

    def forward(self, x):
        return self.net(x)
