"""What color you direct costs: frames/s at 640x360 with keyframes, strokes and a reference photo.

Runs the same generated clip (a grainy textured pan with sound, as bench_speed makes it) end to end
with the default settings, automatic and directed, and prints frames/s and the ratio to automatic.
Run it on an idle machine: python bench/bench_directed.py [--seconds 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch
from bench_speed import make_clip

from vidcolor import Execution, Recipe, colorize_video, load_model
from vidcolor.media.color import lab_to_rgb, rgb_to_lab, to_uint8
from vidcolor.pipeline.preview import frames_between
from vidcolor.runtime.malloc import keep_freed_memory


def gray_frame(clip: Path, index: int) -> np.ndarray:
    frame = next(frames_between(clip, index, index))
    return np.dstack([frame.y] * 3)  # full-range gray of the generated clip


def tinted(rgb: np.ndarray, ab: tuple[float, float], box: tuple[slice, slice] | None = None) -> np.ndarray:
    """The picture with one chroma painted over it (everywhere, or only in ``box``: a stroke)."""
    lab = rgb_to_lab(rgb)
    painted = lab.copy()
    painted[..., 1], painted[..., 2] = ab
    out = to_uint8(lab_to_rgb(painted))
    if box is None:
        return out
    stroked = rgb.copy()
    stroked[box] = out[box]
    return stroked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    keep_freed_memory()
    model = load_model(device="cpu")
    print(f"640x360, {args.seconds:g} s at 25 fps, {torch.get_num_threads()} torch threads, default settings")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = make_clip(work / "clip.mp4", 640, 360, args.seconds)
        last = int(args.seconds * 25) - 1
        keys, strokes, photo = work / "keys", work / "strokes", work / "ref.png"
        keys.mkdir(), strokes.mkdir()
        for index, ab in ((0, (30.0, 20.0)), (last // 2, (-10.0, 30.0))):
            cv2.imwrite(str(keys / f"{index}.png"), tinted(gray_frame(clip, index), ab)[..., ::-1])
        cv2.imwrite(str(strokes / "0.png"), tinted(gray_frame(clip, 0), (30.0, 20.0),
                                                   (slice(100, 130), slice(200, 320)))[..., ::-1])
        cv2.imwrite(str(photo), tinted(gray_frame(clip, last), (20.0, 25.0))[..., ::-1])
        runs = {"automatic": {}, "keyframes (2)": {"keyframes": keys}, "strokes (1 keyframe)": {"keyframes": strokes},
                "reference photo": {"reference": photo}}
        fps: dict[str, float] = {}
        for name, guides in runs.items():
            rates = []
            for _ in range(args.rounds):
                r = colorize_video(clip, work / "out.mp4", recipe=Recipe(), execution=Execution(device="cpu"),
                                   model=model, overwrite=True, progress=False, **guides)
                rates.append(r.frames / r.seconds)
            fps[name] = statistics.median(rates)
            print(f"{name:<22}{fps[name]:>8.1f} frames/s{fps[name] / fps['automatic']:>8.2f}x automatic")


if __name__ == "__main__":
    main()
