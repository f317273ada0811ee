"""``colorize_image``: one still, colorized on its own full-resolution luminance."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from .color import L_to_gray, rgb_to_lab, to_uint8
from .errors import VidcolorError
from .inference import InferenceConfig, colorize_grays, combine
from .manifest import run_key, up_to_date, write_sidecar
from .outputs import atomic_output, check_output
from .probe import open_input


def read_image(path: str | Path) -> np.ndarray:
    """An image file as uint8 RGB (EXIF orientation applied where OpenCV reads it)."""
    path = Path(path)
    with open_input(path) as container:  # same checks and messages as for video
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is not None:
            return np.ascontiguousarray(bgr[..., ::-1])
        try:
            frame = next(container.decode(video=0))
        except (StopIteration, Exception):  # noqa: BLE001 - any decoder failure is "unreadable"
            raise VidcolorError("image cannot be decoded", path) from None
        return frame.to_ndarray(format="rgb24")


def gray_of(rgb: np.ndarray) -> np.ndarray:
    """The gray (0..255 float) with each pixel's Lab lightness: what a B&W print shows."""
    return L_to_gray(rgb_to_lab(rgb)[..., 0])


def write_png(path: Path, rgb: np.ndarray) -> None:
    """Write an RGB PNG atomically."""
    with atomic_output(path) as tmp:
        if not cv2.imwrite(str(tmp), np.ascontiguousarray(rgb[..., ::-1])):
            raise VidcolorError("could not write image", path)


def colorize_image(image: str | Path | np.ndarray, output: str | Path | None = None, *,
                   model: torch.nn.Module | None = None, config: InferenceConfig | None = None,
                   overwrite: bool = False) -> np.ndarray:
    """Colorize a photo (path or RGB/gray array); return uint8 RGB, and write a PNG if asked."""
    from .pipeline import RunSettings, resolve_model

    config = config or InferenceConfig()
    net = model if model is not None else resolve_model(RunSettings(), None)
    if isinstance(image, (str, Path)) and output is not None:
        colorize_image_file(Path(image), Path(output), net, config, overwrite)
        return read_image(Path(output))
    if isinstance(image, (str, Path)):
        rgb = read_image(Path(image))
    else:
        rgb = image if image.ndim == 3 else np.dstack([image] * 3)
    out = colorize_rgb(rgb, net, config)
    if output is not None:
        check_output(Path("<array>"), Path(output), overwrite)
        write_png(Path(output), out)
    return out


def colorize_rgb(rgb: np.ndarray, model: torch.nn.Module, config: InferenceConfig) -> np.ndarray:
    """The photo's lightness, colorized by the model: uint8 RGB of the same size."""
    gray = gray_of(rgb.astype(np.uint8))
    ab = colorize_grays(model, [gray], config)[0]
    return to_uint8(combine(gray, ab))


def colorize_image_file(src: Path, output: Path, model: torch.nn.Module, config: InferenceConfig,
                        overwrite: bool = False) -> bool:
    """File to PNG, skipped when an up-to-date result is there; returns True if skipped."""
    key = run_key(src, model, config)
    if up_to_date(src, output, key, overwrite):
        return True
    write_png(output, colorize_rgb(read_image(src), model, config))
    write_sidecar(output, key, {"input": str(src)})
    return False
