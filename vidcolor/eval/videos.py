"""``vidcolor eval`` on videos: a gray copy of a color clip, colorized, measured over time.

The network runs once per frame; every temporal configuration compared (and
"temporal off") is applied to the same predictions, so settings are compared
fairly. Each method gets the temporal metrics (warping error, CDC), PSNR,
colorfulness and the chroma measures, frame by frame against the original.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from ..errors import VidcolorError
from ..media.color import combine, resize, to_uint8
from ..media.degrade import REELS, seed_for
from ..media.frames import Frame
from ..media.images import gray_of
from ..media.probe import open_input, probe
from ..models.colorizer import Colorizer
from ..pipeline.colorize import colorize_frames
from ..pipeline.settings import InferenceConfig
from ..pipeline.stride import PredictionStride, strided
from ..pipeline.temporal import TemporalConfig, make_temporal
from ..runtime.progress import progress as progress_bar
from .chroma import ChromaSummary, chroma_scores, summarize
from .metrics import colorfulness, psnr
from .video_metrics import TemporalScores, flow_pair


@dataclass
class VideoScores:
    """One method on one video."""

    name: str
    warping_error: float
    cdc: float
    psnr: float
    colorfulness: float
    chroma: ChromaSummary | None  # None for the original footage


def list_videos(target: Path) -> list[Path]:
    """The videos in a folder (recursively) or the file itself, by probing: anything else is skipped."""
    videos = []
    for path in sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]:
        try:
            if probe(path).kind == "video":
                videos.append(path)
        except VidcolorError:
            continue
    return videos


def decoded_rgb(path: Path) -> Iterator[np.ndarray]:
    """RGB frames of a color video, streamed."""
    with open_input(path) as c:
        vs = c.streams.video[0]
        vs.thread_type = "AUTO"
        for f in c.decode(vs):
            yield f.to_ndarray(format="rgb24")


def evaluate_video(path: Path, model: Colorizer, config: InferenceConfig,
                   temporal: dict[str, TemporalConfig], progress: bool = True,
                   degrade: str | None = None) -> list[VideoScores]:
    """Gray copy of a color video, colorized without and with each temporal configuration, measured
    (the frames decoded as the weights decode a film). ``degrade``: the gray copy made film-like first,
    one look for the clip (seeded by its name), grain, dust and flicker frame by frame (``media.degrade.REELS``)."""
    config = config.for_film(model.info.film_decoding)
    reel = REELS[degrade](np.random.default_rng(seed_for(path.name))) if degrade else None
    methods = {name: make_temporal(t) for name, t in temporal.items()}
    strides = {name: PredictionStride(t) for name, t in temporal.items() if strided(t)}
    originals: deque[tuple[np.ndarray, np.ndarray, np.ndarray]] = deque()

    def frames() -> Iterator[Frame]:
        for i, rgb in enumerate(decoded_rgb(path)):
            clean = gray_of(rgb)
            gray = clean if reel is None else reel(clean)
            originals.append((rgb, gray, clean))
            yield Frame(index=i, pts=i, time_base=Fraction(1, 25), y=(gray + 0.5).astype(np.uint8),
                        full_range=True, matrix="bt601")

    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    names = ("original", "temporal off", *temporal)
    scores = {n: TemporalScores() for n in names}
    quality: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    chroma_rows: dict[str, list] = {n: [] for n in names[1:]}
    prev_gray8 = None
    bar = progress_bar(None, path.name, "frame", enabled=progress)
    for frame in colorize_frames(frames(), model, config):
        rgb, gray, clean = originals.popleft()
        gray8 = (clean + 0.5).astype(np.uint8)  # the measures' motion: the true footage's, never the grain's
        fwd, mask = flow_pair(prev_gray8, gray8, dis) if prev_gray8 is not None else (None, None)
        abs_small = {"temporal off": frame.ab}
        for name, method in methods.items():
            skipped = name in strides and not strides[name](frame)  # this configuration does not predict it
            abs_small[name] = method(replace(frame, ab=None) if skipped else replace(frame)).ab
        outputs = {"original": rgb} | {n: to_uint8(combine(gray, ab)) for n, ab in abs_small.items()}
        for name, img in outputs.items():
            scores[name].add(img, fwd, mask)
            quality[name].append((psnr(img, rgb) if name != "original" else float("nan"), colorfulness(img)))
        h, w = gray.shape
        for name, ab in abs_small.items():
            chroma_rows[name].append(chroma_scores(rgb, resize(ab, w, h)))
        prev_gray8 = gray8
        bar.update(1)
    bar.close()
    out = []
    for name in names:
        q = np.array(quality[name])
        out.append(VideoScores(name, scores[name].warping_error, scores[name].cdc_value,
                               float(np.nanmean(q[:, 0])) if name != "original" else float("nan"),
                               float(q[:, 1].mean()), summarize(chroma_rows[name]) if name in chroma_rows else None))
    return out
