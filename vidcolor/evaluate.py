"""``vidcolor eval`` on photos: colorize gray copies of color photos and measure.

Each photo is reduced to its lightness (Lab L, what a B&W print keeps),
colorized, and compared with the original: PSNR and SSIM on uint8 RGB, and
Hasler-Süsstrunk colorfulness against the originals'. The gray baseline
(ab = 0) sits in the same table: a model must beat it on PSNR while putting
the originals' colorfulness back; either alone is easy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .color import lab_to_rgb, rgb_to_lab, to_uint8
from .image import gray_of, read_image, write_png
from .inference import InferenceConfig, colorize_grays, combine
from .metrics import colorfulness, psnr, ssim
from .training.data import IMAGE_SUFFIXES

log = logging.getLogger(__name__)


@dataclass
class Scores:
    """Mean scores of one method over a set."""

    name: str
    psnr: float
    ssim: float
    colorfulness: float
    cf_ratio: float


def gray_baseline(rgb: np.ndarray) -> np.ndarray:
    """The photo with its color removed: Lab with ab = 0."""
    lab = rgb_to_lab(rgb)
    lab[..., 1:] = 0
    return to_uint8(lab_to_rgb(lab))


def list_photos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def evaluate_photos(folder: Path, model: torch.nn.Module, config: InferenceConfig,
                    save_dir: Path | None = None, limit: int | None = None,
                    progress: bool = True) -> tuple[list[Scores], float]:
    """Scores for the model and the gray baseline; also the originals' colorfulness."""
    photos = list_photos(folder)[:limit]
    if not photos:
        from .errors import VidcolorError

        raise VidcolorError("no photos found", folder)
    rows: dict[str, list[tuple[float, float, float]]] = {"model": [], "gray baseline": []}
    cf_orig = []
    for path in tqdm(photos, desc=folder.name, disable=not progress, leave=False):
        rgb = read_image(path)
        gray = gray_of(rgb)
        ab = colorize_grays(model, [gray], config)[0]
        out = to_uint8(combine(gray, ab))
        base = gray_baseline(rgb)
        cf_orig.append(colorfulness(rgb))
        for name, img in (("model", out), ("gray baseline", base)):
            rows[name].append((psnr(img, rgb), ssim(img, rgb), colorfulness(img)))
        if save_dir is not None:
            write_png(save_dir / f"{path.stem}.png", out)
    ref = float(np.mean(cf_orig))
    scores = []
    for name, vals in rows.items():
        p, s, c = np.mean(vals, axis=0)
        scores.append(Scores(name, float(p), float(s), float(c), float(c) / ref))
    return scores, ref


def format_table(title: str, scores: list[Scores], reference_cf: float, n: int) -> str:
    lines = [f"{title} ({n} photos; originals' colorfulness {reference_cf:.2f})",
             f"{'method':<16}{'PSNR dB':>9}{'SSIM':>8}{'colorful':>10}{'ratio':>8}"]
    for s in scores:
        lines.append(f"{s.name:<16}{s.psnr:>9.2f}{s.ssim:>8.4f}{s.colorfulness:>10.2f}{s.cf_ratio:>8.3f}")
    return "\n".join(lines)
