"""The model zoo: a plain dict of name -> how to build it and where its weights are."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from .checkpoint import read_checkpoint
from .errors import VidcolorError
from .archs.autoencoder import Autoencoder, AutoencoderConfig
from .archs.colornet import ColorNet, ColorNetConfig
from .archs.effunet import ColorUNet, UNetConfig
from .archs.resnet_deconv import ResNetDeconv, ResNetDeconvConfig
from .archs.unet_cls import UNetCls, UNetClsConfig

DEFAULT_MODEL = "effunet"


@dataclass(frozen=True)
class ZooEntry:
    """One model: its config type and builder, shipped weights, a line about it, where it
    comes from, and the settings it is built and trained with unless told otherwise."""

    config_cls: type
    build: Callable[[Any, bool], torch.nn.Module]
    weights: str
    description: str
    source: str = ""
    config_defaults: dict[str, Any] = field(default_factory=dict)
    train_defaults: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields


MODELS: dict[str, ZooEntry] = {
    "effunet": ZooEntry(
        UNetConfig, ColorUNet, "effunet.pt",
        "U-Net on ImageNet-pretrained EfficientNet-Lite0, 262-bin classification, annealed mean",
        "Zhang et al. 2016 loss on the U-Net of seeds 002/004 (the default)",
    ),
    "colornet": ZooEntry(
        ColorNetConfig, ColorNet, "colornet.pt",
        "hypercolumns of EfficientNet-Lite0 -> UpConv-Net -> 3-layer Shallow-Net, tanh, L1",
        "seed 000, Bagaria & Tatwawadi",
        train_defaults={"reg_loss": "l1"},
    ),
    "resnet-deconv": ZooEntry(
        ResNetDeconvConfig, ResNetDeconv, "resnet-deconv.pt",
        "ResNet-18-style encoder (from scratch, no pooling) + deconvolutions to full size, MSE",
        "seed 001, Monaco & Ziliotto",
        train_defaults={"reg_loss": "mse", "encoder_lr_mult": 1.0, "weight_decay": 1e-3},
    ),
    "unet-cls": ZooEntry(
        UNetClsConfig, UNetCls, "unet-cls.pt",
        "U-Net from scratch, classification over ab bins with class rebalancing, annealed mean",
        "seed 002, Olah & Yang",
        train_defaults={"encoder_lr_mult": 1.0},
    ),
    "unet-cls-flat": ZooEntry(
        UNetClsConfig, UNetCls, "unet-cls-flat.pt",
        "unet-cls trained without class-rebalancing weights (the paper's best variant)",
        "seed 002, Olah & Yang",
        train_defaults={"encoder_lr_mult": 1.0, "rebalance": 1.0},
    ),
    "autoencoder": ZooEntry(
        AutoencoderConfig, Autoencoder, "autoencoder.pt",
        "Table I encoder-bottleneck-decoder CNN from scratch, swish, tanh, mean absolute error",
        "seed 003, Horváth, Mátyás & Gurubi",
        train_defaults={"reg_loss": "l1", "optimizer": "adam", "weight_decay": 0.0, "encoder_lr_mult": 1.0},
    ),
    "gan": ZooEntry(
        UNetConfig, ColorUNet, "gan.pt",
        "EfficientNet-Lite0 U-Net generator (ab regression) + conditional PatchGAN discriminator",
        "seed 004, Li, Li & Wang: -log D(G(z)) + λ·L1, Adam 2e-4, β1 0.5",
        config_defaults={"head": "reg"},
        train_defaults={"gan": True, "optimizer": "adam", "lr": 2e-4, "beta1": 0.5, "weight_decay": 0.0,
                        "encoder_lr_mult": 1.0, "warmup": 0},
    ),
}


def weights_dir() -> Path:
    """Where shipped weights live: $VIDCOLOR_WEIGHTS_DIR or the project's weights/."""
    env = os.environ.get("VIDCOLOR_WEIGHTS_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "weights"


def entry(name: str) -> ZooEntry:
    """The zoo entry for a name, or a one-line error listing the known ones."""
    if name not in MODELS:
        raise VidcolorError(f"unknown model '{name}' (known: {', '.join(sorted(MODELS))})")
    return MODELS[name]


def make_config(name: str, overrides: dict[str, Any] | None = None) -> Any:
    """A config dataclass for an architecture, from stored or given fields."""
    zoo_entry = entry(name)
    cls = zoo_entry.config_cls
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in (zoo_entry.config_defaults | (overrides or {})).items():
        if key not in fields:
            raise VidcolorError(f"model '{name}' has no setting '{key}'")
        kwargs[key] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def build_model(name: str, config: Any = None, pretrained: bool = True) -> torch.nn.Module:
    """A fresh (untrained decoder) model of the named architecture."""
    config = make_config(name) if config is None else config
    model = entry(name).build(config, pretrained)
    model.arch = name  # type: ignore[attr-defined]
    return model


def model_from_checkpoint(ckpt: dict[str, Any]) -> torch.nn.Module:
    """Rebuild the architecture a checkpoint describes and load its tensors."""
    model = build_model(ckpt["arch"], make_config(ckpt["arch"], ckpt["config"]), pretrained=False)
    state = {k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise VidcolorError(f"weights do not fit architecture '{ckpt['arch']}': {str(exc).splitlines()[0]}") from None
    model.meta = ckpt.get("meta", {})  # type: ignore[attr-defined]
    model.weights_sha256 = ckpt.get("sha256")  # type: ignore[attr-defined]
    return model


def load_model(name: str | None = None, weights: str | Path | None = None,
               device: str | torch.device = "cpu") -> torch.nn.Module:
    """Load a zoo model by name, or any weights file; in eval mode on ``device``."""
    if weights is None:
        path = weights_dir() / entry(name or DEFAULT_MODEL).weights
    else:
        path = Path(weights)
    ckpt = read_checkpoint(path)
    if name is not None and weights is not None and ckpt["arch"] != name:
        raise VidcolorError(f"weights are for model '{ckpt['arch']}', not '{name}'", path)
    entry(ckpt["arch"])
    model = model_from_checkpoint(ckpt)
    model.weights_path = str(path)  # type: ignore[attr-defined]
    return model.eval().to(device)
