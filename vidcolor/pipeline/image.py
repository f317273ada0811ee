"""``colorize_image``: one still, colorized on its own full-resolution luminance."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..media.color import combine, resize, to_uint8
from ..media.files import check_output
from ..media.images import as_rgb8, gray_of, read_image, write_png
from ..models.colorizer import Colorizer, load_model
from .colorize import colorize_grays
from .records import run_key, up_to_date, write_sidecar
from .reference import matcher_for, reference_gain
from .settings import GuideImage, InferenceConfig


def colorize_rgb(rgb: np.ndarray, model: Colorizer, config: InferenceConfig,
                 reference: GuideImage | None = None) -> np.ndarray:
    """The photo's lightness, colorized by the model (and a reference photo's colors where it matches):
    uint8 RGB of the same size."""
    gray = gray_of(rgb.astype(np.uint8))
    ab = colorize_grays(model, [gray], config)[0]
    if reference is not None:
        h, w = ab.shape[:2]
        guide, conf = matcher_for(reference.path, config.render_size).guide(resize(gray, w, h))
        ab = guide * conf[..., None] + ab * reference_gain(reference.path, model, config) * (1.0 - conf[..., None])
    return to_uint8(combine(gray, ab))


def colorize_image_file(src: Path, output: Path, model: Colorizer, config: InferenceConfig,
                        overwrite: bool = False, reference: tuple[GuideImage, ...] = ()) -> bool:
    """File to PNG, skipped when an up-to-date result is there; returns True if skipped.

    ``reference``: the recipe's reference photo (a still has one, for the whole picture)."""
    key = run_key(src, model, {"inference": asdict(config),
                               "reference": reference[0].sha256 if reference else None})
    if up_to_date(src, output, key, overwrite):
        return True
    write_png(output, colorize_rgb(read_image(src), model, config, reference[0] if reference else None))
    write_sidecar(output, key, {"input": str(src)})
    return False


def colorize_image(image: str | Path | npt.ArrayLike, output: str | Path | None = None, *,
                   model: Colorizer | None = None, config: InferenceConfig | None = None,
                   overwrite: bool = False) -> np.ndarray:
    """Colorize a photo (a path, or a gray/RGB picture: numpy array or PIL image, uint8 or float in [0, 1]);
    return uint8 RGB, and write a PNG if asked."""
    config = config or InferenceConfig()
    model = model if model is not None else load_model()
    if isinstance(image, (str, Path)) and output is not None:
        colorize_image_file(Path(image), Path(output), model, config, overwrite)
        return read_image(Path(output))
    rgb = read_image(Path(image)) if isinstance(image, (str, Path)) else as_rgb8(image)
    out = colorize_rgb(rgb, model, config)
    if output is not None:
        check_output(Path("<array>"), Path(output), overwrite)
        write_png(Path(output), out)
    return out
