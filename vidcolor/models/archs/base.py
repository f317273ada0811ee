"""What every colorizer shares: how its raw output becomes ab."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import torch
from torch import nn

from ...errors import VidcolorError
from .. import ab_bins

AB_SCALE = 110.0  # |a|, |b| of sRGB colors stay below this; tanh outputs are scaled by it


@dataclass(frozen=True)
class Decoding:
    """How bin logits become ab, for one call: every field left None is the weights' own setting (their
    config), so a sweep or a user's flag changes one call and never the shared network."""

    temperature: float | None = None  # annealed-mean T
    cast_removal: float | None = None  # share of each picture's mean ab taken away
    confidence_gate: float | None = None  # chroma × min(1, confidence / gate); 0: off
    mode_radius: float | None = None  # annealed mean within this ab radius of the dominant mode; 0: off
    chroma_restore: float | None = None  # chroma × (expected chroma / chroma of the mean)^this; 0: off
    scene_gain_power: float | None = None  # the picture-wide gain (a SceneGain head's) raised to this; 0: off
    prior_correction: float | None = None  # logits − this × log(class rebalancing weight); 0: off (logit_shift)
    chroma_smoothing: float | None = None  # edge-aware upsampling radius, in output cells (models.guided); 0: off
    chroma_floor: float | None = None  # chroma below this (ab units) shown gray, the rest lowered by it; 0: off

    def over(self, base: Decoding) -> Decoding:
        """These settings, and ``base``'s where these leave one to the weights (None)."""
        return replace(self, **{f.name: getattr(base, f.name) for f in fields(self)
                                if getattr(self, f.name) is None})

    def as_dict(self) -> dict[str, float]:
        """The settings this decoding fixes (those not None)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


class ChromaNet(nn.Module):
    """Base class: ``config.head`` says whether the output is bin logits ("cls") or ab ("reg")."""

    config: object

    @property
    def head_kind(self) -> str:
        return getattr(self.config, "head", "reg")

    @property
    def default_temperature(self) -> float | None:
        """The annealed-mean temperature the weights decode with (None for regression heads)."""
        return getattr(self.config, "temperature", None) if self.head_kind == "cls" else None

    def split_output(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The network's output as (bin logits or ab, picture-wide chroma gain logit (B,) or None)."""
        return out, None

    def setting(self, decoding: Decoding | None, name: str, default: float = 0.0) -> float:
        """``decoding``'s value of a setting, else the weights' own, else ``default``."""
        value = getattr(decoding, name, None)
        return getattr(self.config, name, default) if value is None else value

    def rebalance_log_weights(self) -> torch.Tensor | None:
        """log w (Q,) of the class rebalancing the network was trained with, where the weights keep it."""
        return None

    def logit_shift(self, decoding: Decoding | None) -> torch.Tensor | None:
        """What to take from the bin logits before decoding: the decoding's prior correction × log w.

        Trained with rare colors up-weighted by w, the network's belief is p(bin) × w, not p(bin): a bet
        skewed towards vivid, rare colors, which photos want (README, "The model"). logits − log w is the
        unskewed belief, whose mean is the guess with the least error: what a film is judged by, where a
        wrong vivid color lasts a whole shot. None when the correction is 0.
        """
        strength = self.setting(decoding, "prior_correction")
        if strength <= 0:
            return None
        log_w = self.rebalance_log_weights()
        if log_w is None:
            raise VidcolorError("these weights do not keep their class rebalancing weights, so a decoding with "
                                "prior_correction cannot undo them (scripts/keep_rebalancing.py adds them)")
        return strength * log_w

    def decode_ab(self, out: torch.Tensor, decoding: Decoding | None = None) -> torch.Tensor:
        """Network output to ab (B, 2, h, w): ``decode_colors``, times the picture's chroma gain where the
        network predicts one, less the cast removal × each picture's mean, its faint chroma floored."""
        main, gain = self.split_output(out)
        ab = self.decode_colors(main, decoding)
        power = self.setting(decoding, "scene_gain_power", 1.0)
        if gain is not None and power > 0:
            ab = ab * torch.sigmoid(gain.float())[:, None, None, None] ** power
        ab = remove_cast(ab, self.setting(decoding, "cast_removal"))
        return floor_chroma(ab, self.setting(decoding, "chroma_floor"))

    def decode_colors(self, main: torch.Tensor, decoding: Decoding | None = None) -> torch.Tensor:
        """Bin logits or raw ab to ab: annealed mean (chroma-restored, confidence-gated or within the
        dominant mode, if the decoding says so) for "cls", scaled tanh for "reg"."""
        if self.head_kind == "cls":
            t = self.setting(decoding, "temperature", 1.0)  # every classifier's config has its own
            return ab_bins.decode_logits(main.float(), t, self.setting(decoding, "confidence_gate"),
                                         self.setting(decoding, "mode_radius"),
                                         self.setting(decoding, "chroma_restore"), self.logit_shift(decoding))
        return torch.tanh(main.float()) * AB_SCALE


def remove_cast(ab: torch.Tensor, strength: float) -> torch.Tensor:
    """Each picture's mean ab, times ``strength``, taken from all its pixels (0: off; 1: gray world).

    A cast is one color over the whole picture: an orange wall, a green road. Most scenes average
    near neutral, so the picture-wide mean the network paints is mostly cast, while the colors'
    differences within the picture (what CF-σ measures, what makes a red shirt on a gray wall) stay.
    A decoding choice, made on the validation split (README, "The model").
    """
    if strength <= 0:
        return ab
    return ab - strength * ab.mean(dim=(2, 3), keepdim=True)


def floor_chroma(ab: torch.Tensor, floor: float) -> torch.Tensor:
    """Each pixel's chroma less ``floor`` (ab units), none below zero; its hue kept (0: off).

    A soft threshold. Faint chroma is where the network's guess is least often the right hue, and on a
    nearly colorless scene (a gray street, bottles on a white table) a faint wrong tint is all the harm
    there is: it goes to gray, while a color the network paints boldly keeps its hue, a little paler.
    A decoding choice for films, made on the video validation sets (README, "On video").
    """
    if floor <= 0:
        return ab
    chroma = ab.norm(dim=1, keepdim=True)
    return ab * ((chroma - floor).clamp(min=0.0) / chroma.clamp(min=1e-6))


def conv_bn_act(cin: int, cout: int, kernel: int = 3, stride: int = 1,
                act: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Conv, BatchNorm, activation: the block most of these papers are built from."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
        act(inplace=True),
    )


def stretch_tones(gray: torch.Tensor, max_gain: float, low: float = 0.01, high: float = 0.99) -> torch.Tensor:
    """Each picture's tones spread to 0..255 (its 1st and 99th percentiles), gain at most ``max_gain``.

    Old film's lifted blacks, rolled-off whites and exposure drift then look like the photos the
    network learned from (measured on the validation split: README, "The model"). Only what the
    network sees: the luma written to the output is never touched.
    """
    flat = gray.flatten(1)
    q = torch.quantile(flat, torch.tensor([low, high], dtype=flat.dtype, device=flat.device), dim=1)
    lo, hi = q[0][:, None, None, None], q[1][:, None, None, None]
    gain = (255.0 / (hi - lo).clamp(min=1.0)).clamp(max=max_gain)
    return ((gray - 0.5 * (lo + hi)) * gain + 127.5).clamp(0.0, 255.0)


def normalize_gray(gray: torch.Tensor) -> torch.Tensor:
    """0..255 gray to about -1..1."""
    return (gray - 127.0) / 128.0
