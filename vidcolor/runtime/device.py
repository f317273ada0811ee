"""Which device a model runs on: chosen once per run, passed on, never global."""

from __future__ import annotations

import torch

from ..errors import VidcolorError


def pick_device(name: str = "auto") -> torch.device:
    """'auto' is CUDA when present, else CPU; asking for absent CUDA is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise VidcolorError("--device cuda asked for, but no CUDA device is available")
    try:
        return torch.device(name)
    except RuntimeError:
        raise VidcolorError(f"unknown device '{name}' (auto, cpu or cuda[:N])") from None
