"""Still pictures in and out: read any image as RGB, write PNGs atomically, and the B&W print's gray."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ..errors import VidcolorError
from .color import L_to_gray, rgb_to_lab
from .files import atomic_output
from .probe import open_input

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def read_image(path: str | Path) -> np.ndarray:
    """An image file as uint8 RGB (EXIF orientation applied where OpenCV reads it)."""
    path = Path(path)
    with open_input(path) as container:  # same checks and messages as for video
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is not None:
            return np.ascontiguousarray(bgr[..., ::-1])
        try:
            frame = next(container.decode(video=0))
        except (StopIteration, Exception):  # any decoder failure is "unreadable"
            raise VidcolorError("image cannot be decoded", path) from None
        return frame.to_ndarray(format="rgb24")


def as_rgb8(picture: npt.ArrayLike) -> np.ndarray:
    """Any picture a caller may hold (a numpy array, a PIL image: gray, RGB or RGBA; uint8, or float in
    [0, 1]) as uint8 RGB, so a float photo is never silently truncated to black, nor a 0..255 float one
    blown out to white."""
    arr = np.asarray(picture)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = arr[..., :3]
    elif arr.ndim != 2:
        raise VidcolorError(f"not a picture: an array of shape {arr.shape} (want H×W, H×W×3 or H×W×4)")
    if arr.dtype.kind == "f":
        top = float(np.nanmax(arr)) if arr.size else 0.0
        if top > 1.0 + 1e-3:  # a 0..255 float picture would be read as all white
            raise VidcolorError(f"a float picture must be in [0, 1], this one reaches {top:g} "
                                "(divide it by 255, or pass uint8)")
        arr = np.clip(arr * 255.0 + 0.5, 0, 255)
    elif arr.dtype == bool or arr.dtype.kind not in "ui":
        raise VidcolorError(f"not a picture: an array of {arr.dtype}")
    rgb = arr.astype(np.uint8) if arr.dtype != np.uint8 else arr
    return np.ascontiguousarray(rgb if rgb.ndim == 3 else np.dstack([rgb] * 3))


def gray_of(rgb: np.ndarray) -> np.ndarray:
    """The gray (0..255 float) with each pixel's Lab lightness: what a B&W print shows."""
    return L_to_gray(rgb_to_lab(rgb)[..., 0])


def write_png(path: Path, rgb: np.ndarray) -> None:
    """Write an RGB PNG atomically."""
    with atomic_output(path) as tmp:
        if not cv2.imwrite(str(tmp), np.ascontiguousarray(rgb[..., ::-1])):
            raise VidcolorError("could not write image", path)


def list_images(folder: Path) -> list[Path]:
    """The picture files under a folder (recursively), sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
