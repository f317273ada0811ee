"""The model zoo: a plain dict of name -> how to build it and where its weights are."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from .checkpoint import read_checkpoint
from .errors import VidcolorError
from .unet import ColorUNet, UNetConfig

DEFAULT_MODEL = "effunet"


@dataclass(frozen=True)
class ZooEntry:
    """One architecture: its config type, builder, shipped weights and a line about it."""

    config_cls: type
    build: Callable[[Any, bool], torch.nn.Module]
    weights: str
    description: str


MODELS: dict[str, ZooEntry] = {
    "effunet": ZooEntry(
        UNetConfig, lambda cfg, pretrained: ColorUNet(cfg, pretrained), "effunet.pt",
        "U-Net on ImageNet-pretrained EfficientNet-Lite0, 262-bin classification, annealed mean",
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
    cls = entry(name).config_cls
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in (overrides or {}).items():
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
