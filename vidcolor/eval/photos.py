"""``vidcolor eval`` on photos: colorize gray copies of color photos and measure.

Each photo is reduced to its lightness (Lab L, what a B&W print keeps),
optionally given a film-like look (``--degrade film``, seeded by the file's
name), colorized, and compared with the original: PSNR and SSIM on uint8 RGB,
Hasler-Süsstrunk colorfulness, and the chroma measures (``eval.chroma``) that
see casts and hues. The gray baseline (ab = 0) sits in the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import VidcolorError
from ..media.color import combine, lab_to_rgb, resize, rgb_to_lab, to_uint8
from ..media.degrade import DEGRADATIONS, seed_for
from ..media.images import gray_of, list_images, read_image, write_png
from ..models.colorizer import Colorizer
from ..pipeline.colorize import colorize_grays
from ..pipeline.settings import InferenceConfig
from ..runtime.progress import progress as progress_bar
from .chroma import ChromaSummary, chroma_scores, summarize
from .metrics import colorfulness, psnr, ssim


@dataclass
class Scores:
    """Mean scores of one method over a set."""

    name: str
    psnr: float
    ssim: float
    colorfulness: float
    cf_ratio: float
    chroma: ChromaSummary


def gray_baseline(rgb: np.ndarray) -> np.ndarray:
    """The photo with its color removed: Lab with ab = 0."""
    lab = rgb_to_lab(rgb)
    lab[..., 1:] = 0
    return to_uint8(lab_to_rgb(lab))


def select_photos(folder: Path, names: frozenset[str] | None = None, limit: int | None = None) -> list[Path]:
    """The photos of a folder; only those in ``names`` (paths relative to it) when given."""
    photos = list_images(folder)
    if names is not None:
        photos = [p for p in photos if p.relative_to(folder).as_posix() in names]
    return photos[:limit]


def input_gray(path: Path, rgb: np.ndarray, degrade: str | None) -> np.ndarray:
    """The gray a user would feed in: the photo's lightness, film-like when asked (seeded by the name)."""
    gray = gray_of(rgb)
    if degrade is None:
        return gray
    return DEGRADATIONS[degrade](gray, np.random.default_rng(seed_for(path.name)))


def evaluate_photos(photos: list[Path], model: Colorizer, config: InferenceConfig, degrade: str | None = None,
                    save_dir: Path | None = None, progress: bool = True, title: str = "photos"
                    ) -> tuple[list[Scores], float]:
    """Scores for the model and the gray baseline; also the originals' colorfulness."""
    if not photos:
        raise VidcolorError("no photos found", title)
    rows: dict[str, list[tuple[float, float, float]]] = {"model": [], "gray baseline": []}
    chroma_rows: dict[str, list] = {"model": [], "gray baseline": []}
    cf_orig = []
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
    bar = progress_bar(len(photos), title, "photo", enabled=progress)
    for path in photos:
        rgb = read_image(path)
        gray = input_gray(path, rgb, degrade)
        ab_small = colorize_grays(model, [gray], config)[0]
        h, w = gray.shape
        outputs = {"model": to_uint8(combine(gray, ab_small)), "gray baseline": to_uint8(combine(gray, 0 * ab_small))}
        abs_full = {"model": resize(ab_small, w, h), "gray baseline": np.zeros((h, w, 2), np.float32)}
        cf_orig.append(colorfulness(rgb))
        for name, img in outputs.items():
            rows[name].append((psnr(img, rgb), ssim(img, rgb), colorfulness(img)))
            chroma_rows[name].append(chroma_scores(rgb, abs_full[name]))
        if save_dir is not None:
            write_png(save_dir / f"{path.stem}.png", outputs["model"])
        bar.update(1)
    bar.close()
    ref = float(np.mean(cf_orig))
    scores = []
    for name, vals in rows.items():
        p, s, c = np.mean(vals, axis=0)
        scores.append(Scores(name, float(p), float(s), float(c), float(c) / ref, summarize(chroma_rows[name])))
    return scores, ref


def format_table(title: str, scores: list[Scores], reference_cf: float, n: int) -> str:
    lines = [f"{title} ({n} photos; originals' colorfulness {reference_cf:.2f})",
             f"{'method':<16}{'PSNR dB':>9}{'SSIM':>8}{'colorful':>10}{'ratio':>8}"
             f"{'chromaPSNR':>12}{'gain dB':>9}{'CF-σ':>7}{'hue45':>7}{'neutral':>9}"]
    for s in scores:
        c = s.chroma
        lines.append(f"{s.name:<16}{s.psnr:>9.2f}{s.ssim:>8.4f}{s.colorfulness:>10.2f}{s.cf_ratio:>8.3f}"
                     f"{c.chroma_psnr:>12.2f}{c.gain:>+9.2f}{c.cf_sigma_ratio:>7.3f}{c.hue45:>7.3f}"
                     f"{c.neutral_cast:>9.2f}")
    return "\n".join(lines)
