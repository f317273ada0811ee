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
    # Annealed mean over the dominant mode's bins only, those within this many ab units (0: all bins)
    mode_radius: float = 0.0
    # The input's tones stretched per picture, gain at most this (0: off); see archs.base.stretch_tones
    input_stretch: float = 0.0
    # A picture-wide chroma gain in (0, 1) from the deepest features (SceneGain): a scene the network
    # cannot place, such as a nearly colorless street, is colored less instead of painted; False: none
    scene_gain: bool = False
    # That gain raised to this power when decoding (0: the head is there and unused, e.g. for photos)
    scene_gain_power: float = 1.0
    # This share of each picture's mean ab taken away from all its pixels (archs.base.remove_cast; 0: off)
    cast_removal: float = 0.0
    # Chroma raised towards the predicted distribution's expected chroma, × (E|ab| / |E ab|)^this
    # (ab_bins.restore_chroma; 0: off): an uncertain hue is still a vivid color
    chroma_restore: float = 0.0
    # The training's class rebalancing weights kept, as log w (buffer rebalance_log_w), so that a decoding
    # can undo them (Decoding.prior_correction); False keeps the older weights' layout
    keeps_rebalancing: bool = False
    # logits − this × log w before decoding (0: off; needs keeps_rebalancing): see ChromaNet.logit_shift
    prior_correction: float = 0.0


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
        self.scene = SceneGain(t32) if config.scene_gain else None
        if config.keeps_rebalancing:
            self.register_buffer("rebalance_log_w", torch.zeros(ab_bins.NUM_BINS))

    def forward(self, gray: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(gray))

    def encode(self, gray: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The encoder's taps the decoder reads (strides 4, 8, 16, 32): apart, so that a decoder phase
        can train on them computed once (scripts/decoder_phase.py)."""
        if self.config.input_stretch:
            gray = stretch_tones(gray, self.config.input_stretch)
        x = normalize_gray(gray)
        _, f4, f8, f16, f32 = self.encoder.features(x.expand(-1, 3, -1, -1))
        return f4, f8, f16, f32

    def decode(self, taps: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """Encoder taps to the network's output (logits or ab, and the picture's gain if it has one)."""
        f4, f8, f16, f32 = taps
        y = f32
        for skip, block in ((f16, self.up16), (f8, self.up8), (f4, self.up4)):
            y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = block(torch.cat([y, skip], 1))
            if block is self.up16 and self.context is not None:
                y = y + self.context(f32)
        out = self.head(y)
        if self.scene is None:
            return out
        gain = self.scene(f32.detach())[:, :, None, None].expand(-1, -1, *out.shape[-2:])  # reads, never trains, f32
        return torch.cat([out, gain.to(out.dtype)], 1)  # one tensor out: every backend exports it as is

    def rebalance_log_weights(self) -> torch.Tensor | None:
        return self.rebalance_log_w if self.config.keeps_rebalancing else None

    def split_output(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.scene is None:
            return out, None
        return out[:, :-1], out[:, -1, 0, 0]


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



class SceneGain(nn.Module):
    """The picture's chroma gain logit (B, 1): a linear read of the mean and spread of its deepest features.

    Fitted on the chroma-PSNR gain over gray itself (training.losses.scene_gain_loss), the rest of the
    network fixed: where the truth tends to be colorless or the colors unknowable, it colors less,
    picture by picture. Linear on standardized features (their mean and scale kept as buffers), because
    a wider head learned the training photos, not the pictures (validation split: scripts/fit_scene_gain.py).
    Starts at sigmoid(4) = 0.98, about the network without it.
    """

    def __init__(self, cin: int) -> None:
        super().__init__()
        self.register_buffer("center", torch.zeros(2 * cin))
        self.register_buffer("scale", torch.ones(2 * cin))
        self.fc = nn.Linear(2 * cin, 1)
        nn.init.zeros_(self.fc.weight)
        nn.init.constant_(self.fc.bias, 4.0)

    @staticmethod
    def pool(features: torch.Tensor) -> torch.Tensor:
        flat = features.flatten(2)
        return torch.cat([flat.mean(2), flat.std(2)], 1)

    def from_pooled(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.fc((pooled - self.center) / self.scale)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.from_pooled(self.pool(features))
