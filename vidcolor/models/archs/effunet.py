"""The default colorizer: a U-Net on the ImageNet-pretrained EfficientNet-Lite0.

The gray frame goes through the pretrained encoder (its semantics are what
make grass green and sky blue); a light decoder with skip connections brings
the features back to a quarter of the input resolution (as in Zhang et al.),
where a head predicts either a distribution over the quantized ab bins
("cls") or ab directly ("reg"). Chroma is smooth; the full-resolution
luminance carries the detail.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .. import ab_bins
from ..efficientnet_lite0 import TAP_CHANNELS, feature_encoder
from .base import ChromaNet, conv_bn_act, normalize_gray, stretch_tones


@dataclass
class UNetConfig:
    """Architecture of the U-Net colorizer (stored in every checkpoint)."""

    decoder_channels: tuple[int, int, int] = (192, 128, 64)
    head: str = "cls"  # "cls": logits over ab bins; "reg": ab regression
    temperature: float = 0.38  # annealed-mean temperature for "cls"
    # A global image feature added to the decoder (Iizuka et al. 2016 fuse one): the whole
    # picture's context, so one wall gets one color; False keeps the older weights' layout.
    global_context: bool = False
    # Chroma scaled by min(1, confidence / gate) where the predicted distribution is spread out (0: off):
    # a decoding choice, made on the validation split (README, "The model")
    confidence_gate: float = 0.0
    # The input's tones stretched per picture, gain at most this (0: off); see archs.base.stretch_tones
    input_stretch: float = 0.0


class ColorUNet(ChromaNet):
    """Gray (B, 1, H, W) in 0..255 -> logits or ab at (H/4, W/4)."""

    def __init__(self, config: UNetConfig, pretrained: bool = True) -> None:
        super().__init__()
        self.config = config
        self.encoder = feature_encoder(pretrained)
        c16, c8, c4 = config.decoder_channels
        _, t4, t8, t16, t32 = TAP_CHANNELS
        self.up16 = conv_bn_act(t32 + t16, c16)
        self.up8 = conv_bn_act(c16 + t8, c8)
        self.up4 = conv_bn_act(c8 + t4, c4)
        out = ab_bins.NUM_BINS if config.head == "cls" else 2
        self.head = nn.Conv2d(c4, out, 1)
        self.context = GlobalContext(t32, c16) if config.global_context else None

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        if self.config.input_stretch:
            gray = stretch_tones(gray, self.config.input_stretch)
        x = normalize_gray(gray)
        _, f4, f8, f16, f32 = self.encoder.features(x.expand(-1, 3, -1, -1))
        y = f32
        for skip, block in ((f16, self.up16), (f8, self.up8), (f4, self.up4)):
            y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = block(torch.cat([y, skip], 1))
            if block is self.up16 and self.context is not None:
                y = y + self.context(f32)
        return self.head(y)


class GlobalContext(nn.Module):
    """The image-wide mean of the deepest features, through two layers, as a per-channel offset.

    The last layer starts at zero, so a network given this branch first behaves
    exactly as it did without it and fine-tuning adds context from there.
    """

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(cin, cout)
        self.fc2 = nn.Linear(cout, cout)
        nn.init.zeros_(self.fc2.weight)
        nn.init.zeros_(self.fc2.bias)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        g = features.mean(dim=(2, 3))
        return self.fc2(torch.relu(self.fc1(g)))[:, :, None, None]

