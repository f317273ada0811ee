"""The model zoo: a plain dict of name -> how to build it and where its weights are."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import VidcolorError
from .archs.autoencoder import Autoencoder, AutoencoderConfig
from .archs.base import ChromaNet
from .archs.colornet import ColorNet, ColorNetConfig
from .archs.effunet import ColorUNet, UNetConfig
from .archs.resnet_deconv import ResNetDeconv, ResNetDeconvConfig
from .archs.unet_cls import UNetCls, UNetClsConfig
from .checkpoint import read_checkpoint

DEFAULT_MODEL = "effunet"


@dataclass(frozen=True)
class ZooEntry:
    """One model: its config type and builder, shipped weights, a line about it, where it
    comes from, and the settings it is built and trained with unless told otherwise."""

    config_cls: type
    build: Callable[[Any, bool], ChromaNet]
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


SHIPPED_PACKAGE = "vidcolor.weights"  # the shipped weights, inside the installed package


def user_weights_dir() -> Path:
    """Where weights a user trains go (and are looked for first): $VIDCOLOR_WEIGHTS_DIR, else the
    user's data folder. Never inside the installed package."""
    env = os.environ.get("VIDCOLOR_WEIGHTS_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "vidcolor" / "weights"


def shipped_dir() -> Path:
    """The folder of the weights that ship inside the package (read-only)."""
    return Path(str(resources.files(SHIPPED_PACKAGE)))


def weights_for(name: str) -> Path:
    """A zoo model's weights file: the user's own if there is one, else the shipped one."""
    filename = entry(name).weights
    own = user_weights_dir() / filename
    return own if own.is_file() else shipped_dir() / filename


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


def build_model(name: str, config: Any = None, pretrained: bool = True) -> ChromaNet:
    """A fresh (untrained decoder) model of the named architecture."""
    config = make_config(name) if config is None else config
    return entry(name).build(config, pretrained)


def net_from_checkpoint(ckpt: dict[str, Any]) -> ChromaNet:
    """Rebuild the architecture a checkpoint describes and load its tensors (float32)."""
    entry(ckpt["arch"])
    net = build_model(ckpt["arch"], make_config(ckpt["arch"], ckpt["config"]), pretrained=False)
    state = {k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()}
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise VidcolorError(f"weights do not fit architecture '{ckpt['arch']}': {str(exc).splitlines()[0]}") from None
    return net.eval()


def resolve_weights(name: str | None = None, weights: str | Path | None = None) -> Path:
    """The weights file a name or path means."""
    return Path(weights) if weights is not None else weights_for(name or DEFAULT_MODEL)


def read_zoo_checkpoint(name: str | None = None, weights: str | Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The checkpoint for a zoo name or a file, checked against the name when both are given."""
    path = resolve_weights(name, weights)
    ckpt = read_checkpoint(path)
    if name is not None and weights is not None and ckpt["arch"] != name:
        raise VidcolorError(f"weights are for model '{ckpt['arch']}', not '{name}'", path)
    entry(ckpt["arch"])
    return path, ckpt
