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
from typing import TYPE_CHECKING

import numpy as np
import torch
from tqdm import tqdm

from .color import lab_to_rgb, rgb_to_lab, to_uint8
from .image import gray_of, read_image, write_png
from .inference import InferenceConfig, colorize_grays, combine
from .metrics import colorfulness, psnr, ssim
from .training.data import IMAGE_SUFFIXES

if TYPE_CHECKING:
    from .temporal import TemporalConfig

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


def list_videos(target: Path) -> list[Path]:
    """The videos in a folder (recursively) or the file itself, by probing: anything else is skipped."""
    from .errors import VidcolorError
    from .probe import probe

    videos = []
    for path in sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]:
        try:
            if probe(path).kind == "video":
                videos.append(path)
        except VidcolorError:
            continue
    return videos


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


@dataclass
class VideoScores:
    """One method on one video."""

    name: str
    warping_error: float
    cdc: float
    psnr: float
    colorfulness: float


def decoded_rgb(path: Path):
    """RGB frames of a color video, streamed."""
    from .probe import open_input

    with open_input(path) as c:
        vs = c.streams.video[0]
        vs.thread_type = "AUTO"
        for f in c.decode(vs):
            yield f.to_ndarray(format="rgb24")


def evaluate_video(path: Path, model: torch.nn.Module, config: InferenceConfig,
                   temporal: "TemporalConfig | dict[str, TemporalConfig]", progress: bool = True
                   ) -> list[VideoScores]:
    """Gray copy of a color video, colorized with and without the temporal stage, measured.

    ``temporal`` may name several configurations; the network runs once per frame for all of
    them, so settings of the temporal stage are compared on the same predictions.
    """
    from collections import deque
    from dataclasses import replace
    from fractions import Fraction

    import cv2

    from .colorize import colorize_frames
    from .frames import Frame
    from .temporal import Stabilizer, TemporalConfig
    from .video_metrics import TemporalScores, flow_pair

    if isinstance(temporal, TemporalConfig):
        temporal = {f"temporal {temporal.mode}": temporal}
    stabilizers = {name: Stabilizer(t) for name, t in temporal.items() if t.mode != "off"}
    originals: deque[tuple[np.ndarray, np.ndarray]] = deque()

    def frames():
        for i, rgb in enumerate(decoded_rgb(path)):
            gray = gray_of(rgb)
            originals.append((rgb, gray))
            yield Frame(index=i, pts=i, time_base=Fraction(1, 25), y=(gray + 0.5).astype(np.uint8),
                        full_range=True, matrix="bt601")

    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    names = ("original", "temporal off", *temporal)
    scores = {n: TemporalScores() for n in names}
    quality = {n: [] for n in names}
    prev_gray8 = None
    for frame in tqdm(colorize_frames(frames(), model, config), desc=path.name, disable=not progress, leave=False):
        rgb, gray = originals.popleft()
        gray8 = (gray + 0.5).astype(np.uint8)
        fwd, mask = flow_pair(prev_gray8, gray8, dis) if prev_gray8 is not None else (None, None)
        outputs = {"original": rgb, "temporal off": to_uint8(combine(gray, frame.ab))}
        for name in temporal:
            ab = stabilizers[name](replace(frame)).ab if name in stabilizers else frame.ab
            outputs[name] = to_uint8(combine(gray, ab))
        for name, img in outputs.items():
            scores[name].add(img, fwd, mask)
            quality[name].append((psnr(img, rgb) if name != "original" else float("nan"), colorfulness(img)))
        prev_gray8 = gray8
    out = []
    for name in names:
        q = np.array(quality[name])
        out.append(VideoScores(name, scores[name].warping_error, scores[name].cdc_value,
                               float(np.nanmean(q[:, 0])) if name != "original" else float("nan"),
                               float(q[:, 1].mean())))
    return out


def format_video_table(rows: dict[str, list[VideoScores]]) -> str:
    lines = [f"{'video':<28}{'method':<15}{'warp err':>10}{'CDC':>9}{'PSNR dB':>9}{'colorful':>10}"]
    for video, scores in rows.items():
        for s in scores:
            lines.append(f"{video[:27]:<28}{s.name:<15}{s.warping_error:>10.5f}{s.cdc:>9.5f}"
                         f"{s.psnr:>9.2f}{s.colorfulness:>10.2f}")
    return "\n".join(lines)
