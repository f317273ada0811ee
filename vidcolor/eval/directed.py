"""Color you direct, measured: a color clip made gray, colorized with keyframes at the frames
``vidcolor shots`` picks (given their true colors), against the automatic model and the gray
input itself. Every method runs the real pipeline on the same gray film and is compared frame by
frame with the original: PSNR, chroma PSNR (the output's chroma on the true lightness), warping
error and CDC (temporal), the original footage's own warping error beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from ..media.color import rgb_to_lab
from ..media.images import gray_of
from ..media.probe import open_input, probe
from ..models.colorizer import Colorizer
from ..pipeline.guides import load_keyframes, load_references
from ..pipeline.settings import Execution, Recipe
from ..pipeline.shots import find_shots
from ..pipeline.video import colorize_video
from .chroma import chroma_scores
from .metrics import psnr
from .video_metrics import TemporalScores, flow_pair


@dataclass
class DirectedScores:
    """One method on one clip."""

    name: str
    psnr: float
    chroma_psnr: float
    warping_error: float
    cdc: float


def gray_film(src: Path, dst: Path) -> Path:
    """The clip's lightness as a gray film (nearly lossless H.264), same frames and timestamps."""
    with open_input(src) as c, av.open(str(dst), "w") as out:
        vs_in = c.streams.video[0]
        rate = vs_in.guessed_rate or vs_in.average_rate or Fraction(25)
        vs = out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = vs_in.codec_context.width, vs_in.codec_context.height, "yuv444p"
        vs.time_base = vs_in.time_base
        vs.options = {"preset": "ultrafast", "crf": "6"}
        for f in c.decode(vs_in):
            g = (gray_of(f.to_ndarray(format="rgb24")) + 0.5).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([g] * 3), format="rgb24").reformat(format="yuv444p")
            frame.pts, frame.time_base = f.pts, f.time_base
            for p in vs.encode(frame):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
    return dst


def rgb_frames(path: Path) -> list[np.ndarray]:
    with open_input(path) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def true_keyframes(originals: list[np.ndarray], indices: list[int], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in indices:
        cv2.imwrite(str(folder / f"{i}.png"), originals[i][..., ::-1])


def measure(name: str, frames: list[np.ndarray], originals: list[np.ndarray]) -> DirectedScores:
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    temporal, prev = TemporalScores(), None
    quality = []
    for rgb, truth in zip(frames, originals):
        g = (gray_of(truth) + 0.5).astype(np.uint8)
        fwd, mask = flow_pair(prev, g, dis) if prev is not None else (None, None)
        temporal.add(rgb, fwd, mask)
        quality.append((psnr(rgb, truth), chroma_scores(truth, rgb_to_lab(rgb)[..., 1:]).chroma_psnr))
        prev = g
    q = np.array(quality)
    return DirectedScores(name, float(q[:, 0].mean()), float(q[:, 1].mean()), temporal.warping_error,
                          temporal.cdc_value)


def evaluate_directed(src: Path, model: Colorizer, recipe: Recipe, execution: Execution, work: Path,
                      keyframes: bool = True, reference: bool = False) -> list[DirectedScores]:
    """Original (its own temporal measures), gray, automatic, and keyframes (the true colors of the frames
    ``shots`` picks) and/or a reference photo (the true frame at 90% of the clip) on one clip."""
    work.mkdir(parents=True, exist_ok=True)
    film = gray_film(src, work / f"{src.stem}.gray.mp4")
    originals = rgb_frames(src)
    recipes = {"automatic": recipe}
    if keyframes:
        keys = work / f"{src.stem}.keys"
        true_keyframes(originals, sorted(s.keyframe for s in find_shots(film)), keys)
        recipes["keyframes"] = replace(recipe, keyframes=load_keyframes(keys, probe(film)))
    if reference:
        photo = work / f"{src.stem}.reference.png"
        cv2.imwrite(str(photo), originals[int(0.9 * (len(originals) - 1))][..., ::-1])
        recipes["reference"] = replace(recipe, reference=load_references(photo, None))
    scores = [measure("original", originals, originals), measure("gray", rgb_frames(film), originals)]
    for name, r in recipes.items():
        out = colorize_video(film, work / f"{src.stem}.{name}.mp4", recipe=r, execution=execution, model=model,
                             overwrite=True, progress=False)
        scores.append(measure(name, rgb_frames(out.output), originals))
    return scores


def format_directed(rows: dict[str, list[DirectedScores]]) -> str:
    lines = [f"{'video':<28}{'method':<12}{'PSNR dB':>9}{'chroma dB':>11}{'warp err':>10}{'CDC':>9}"]
    for video, scores in rows.items():
        for s in scores:
            shown = (f"{'-':>9}{'-':>11}" if s.name == "original" else f"{s.psnr:>9.2f}{s.chroma_psnr:>11.2f}")
            lines.append(f"{video[:27]:<28}{s.name:<12}{shown}{s.warping_error:>10.5f}{s.cdc:>9.4f}")
    methods = [s.name for s in next(iter(rows.values()))]

    def column(method: str, attr: str) -> np.ndarray:
        return np.array([next(getattr(s, attr) for s in r if s.name == method) for r in rows.values()])

    gray, auto, orig_w = column("gray", "psnr"), column("automatic", "psnr"), column("original", "warping_error")
    for m in (m for m in methods if m in ("keyframes", "reference")):
        p, w = column(m, "psnr"), column(m, "warping_error")
        lines.append(f"{m}, mean over {len(rows)} clips: {p.mean():.2f} dB = gray {p.mean() - gray.mean():+.2f} dB, "
                     f"automatic {p.mean() - auto.mean():+.2f} dB; worst clip vs automatic {(p - auto).min():+.2f} dB, "
                     f"vs gray {(p - gray).min():+.2f} dB; warping error {w.mean() / max(orig_w.mean(), 1e-12):.2f}x "
                     f"the original's")
    return "\n".join(lines)
