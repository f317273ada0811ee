"""Running a colorizer on batches of gray images: ab at the working resolution.

Shared by video, image, preview, eval and training validation, so every path
colorizes the same way.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .color import gray_to_L, lab_to_rgb, resize


@dataclass(frozen=True)
class InferenceConfig:
    """How the network is run."""

    render_size: int = 160  # short side the network sees (chosen by eval: see README)
    batch_size: int = 4
    temperature: float | None = None  # annealed-mean T; None = the model's own
    compile: bool = False  # torch.compile: faster per frame after a one-time compile (opt-in)
    workers: int = 0  # model threads taking turns on batches (0: one per CPU thread, at most 4; 1 on CUDA)
    jit: bool = True  # video on the CPU: the network as frozen TorchScript graphs (see tracing.py)


@dataclass(frozen=True)
class WorkerLayout:
    """How many model workers run side by side, and torch's thread count in each."""

    workers: int
    threads: int


def worker_layout(config: InferenceConfig, device: torch.device, threads: int | None = None) -> WorkerLayout:
    """Split the CPU threads (default: torch's count) among model workers.

    One worker on CUDA (the GPU queues the work anyway) and for compiled models
    (one compiled graph, one caller).
    """
    total = threads or torch.get_num_threads()
    if device.type != "cpu" or config.compile:
        return WorkerLayout(1, total)
    workers = max(1, min(config.workers or min(total, 4), total))
    return WorkerLayout(workers, max(1, total // workers))


def pick_device(name: str = "auto") -> torch.device:
    """'auto' is CUDA when present, else CPU; asking for absent CUDA is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        from .errors import VidcolorError

        raise VidcolorError("--device cuda asked for, but no CUDA device is available")
    return torch.device(name)


def prepare_model(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """Eval mode on the device; channels_last, which is faster for convs on CPU."""
    model = model.eval().to(device)
    return model.to(memory_format=torch.channels_last)


def compile_model(model: torch.nn.Module) -> torch.nn.Module:
    """torch.compile for one fixed input shape (a video's frames all share it).

    It costs half a minute or more of compiling at the start (Inductor keeps its
    results in its on-disk cache, so later runs at the same shape start faster);
    measured here on 2 CPU cores it gained only ~10% model-only and was slower end
    to end (README, "Speed and memory"), hence opt-in and off by default. Batches
    are padded to full size so the shape never changes and nothing is compiled twice.
    """
    return torch.compile(model, dynamic=False)


def is_compiled(model: torch.nn.Module) -> bool:
    return hasattr(model, "_orig_mod")


# How the network's low-resolution ab reaches the working size. Bicubic, not bilinear: the
# effunet head predicts at 1/4 of the working size, and bicubic keeps chroma edges sharper; on
# BSDS500 it is worth about +0.02 dB at equal colorfulness (README, "The model").
AB_UPSAMPLE = "bicubic"


def upsample_ab(ab: torch.Tensor, size: tuple[int, int], mode: str = AB_UPSAMPLE) -> torch.Tensor:
    """(B, 2, h, w) ab to (B, 2, *size)."""
    return F.interpolate(ab, size=size, mode=mode, align_corners=False)


def render_shape(height: int, width: int, short_side: int) -> tuple[int, int]:
    """Working (h, w): short side = short_side, aspect kept, multiples of 8."""
    scale = short_side / min(height, width)
    return max(8, round(height * scale / 8) * 8), max(8, round(width * scale / 8) * 8)


@torch.inference_mode()
def predict_ab(model: torch.nn.Module, gray: torch.Tensor, temperature: float | None = None) -> torch.Tensor:
    """(B, 1, h, w) gray 0..255 -> (B, 2, h, w) ab, upsampled to the input's size."""
    device = next(model.parameters()).device
    n = gray.shape[0]
    if n < getattr(model, "batch_size", n):  # a model run at one batch size (compiled, or traced graphs)
        gray = torch.cat([gray, gray[-1:].expand(model.batch_size - n, -1, -1, -1)])  # same shape every call
    if device.type == "cuda":
        gray = gray.pin_memory()  # lets the copy overlap with the previous batch's work
    gray = gray.to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
    autocast = (torch.autocast("cuda", dtype=torch.float16) if device.type == "cuda"
                else contextlib.nullcontext())
    with autocast:
        out = model(gray)
    ab = model.decode_ab(out, temperature) if temperature is not None else model.decode_ab(out)
    return upsample_ab(ab[:n].float(), gray.shape[-2:])


def colorize_grays(model: torch.nn.Module, grays: list[np.ndarray], config: InferenceConfig) -> list[np.ndarray]:
    """Full-resolution gray images (float 0..255, same size) -> ab at render size."""
    h, w = grays[0].shape
    rh, rw = render_shape(h, w, config.render_size)
    small = np.stack([resize(g, rw, rh) for g in grays])[:, None]
    ab = predict_ab(model, torch.from_numpy(small), config.temperature)
    return list(ab.permute(0, 2, 3, 1).cpu().numpy())


def combine(gray: np.ndarray, ab_small: np.ndarray) -> np.ndarray:
    """Original-resolution gray + low-resolution ab -> float RGB [0, 1] at full size."""
    h, w = gray.shape
    ab = resize(ab_small, w, h)
    lab = np.dstack([gray_to_L(gray), ab])
    return lab_to_rgb(lab)
