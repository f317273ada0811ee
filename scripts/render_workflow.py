"""Render the README's picture of color you direct: a keyframe, and strokes, carried through a shot.

    python scripts/render_workflow.py [--clip ../shared/data/video/color/carphone.mp4] [--step 25]

The clip is made gray (as `vidcolor eval` does), `vidcolor shots` picks the first shot's frame, and
two runs colorize the gray film: one with that frame's true colors as the keyframe (what an artist
would paint in an editor), one with a few strokes of them on the gray frame. Writes
docs/workflow.png: per run, the keyframe as given, then frames later in the shot as the run writes them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np

from vidcolor import colorize_video, load_model
from vidcolor.eval.directed import gray_film, rgb_frames
from vidcolor.media.images import write_png
from vidcolor.pipeline.shots import find_shots

ROOT = Path(__file__).resolve().parent.parent
SCALE = 2  # small clips shown larger


def label(rgb: np.ndarray, text: str) -> np.ndarray:
    out = cv2.resize(rgb, (rgb.shape[1] * SCALE, rgb.shape[0] * SCALE), interpolation=cv2.INTER_CUBIC)
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1, cv2.LINE_AA)
    return out


def strokes_on(gray: np.ndarray, color: np.ndarray, spots: int = 4, radius: int = 3) -> np.ndarray:
    """A few short strokes of the true color on the gray frame, where the color is strongest."""
    lab = cv2.cvtColor(color.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    chroma = cv2.GaussianBlur(np.hypot(lab[..., 1], lab[..., 2]), (0, 0), 6)
    out = gray.copy()
    h, w = chroma.shape
    for _ in range(spots):
        y, x = np.unravel_index(int(np.argmax(chroma)), chroma.shape)
        x0, x1 = max(0, x - 4 * radius), min(w, x + 4 * radius)
        out[max(0, y - radius): y + radius, x0:x1] = color[max(0, y - radius): y + radius, x0:x1]
        chroma[max(0, y - h // 5): y + h // 5, max(0, x - w // 5): x + w // 5] = 0  # the next stroke elsewhere
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=Path, default=ROOT.parent / "shared" / "data" / "video" / "color" / "carphone.mp4")
    ap.add_argument("--step", type=int, default=25, help="Frames between the pictures shown.")
    args = ap.parse_args()
    model = load_model(device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        film = gray_film(args.clip, work / "gray.mp4")
        truth, grays = rgb_frames(args.clip), rgb_frames(film)
        shot = find_shots(film)[0]
        k = shot.keyframe
        later = list(range(k + args.step, shot.last + 1, args.step))[:3]
        rows = []
        for name, given in (("keyframe", truth[k]), ("strokes", strokes_on(grays[k], truth[k]))):
            keys = work / name
            keys.mkdir()
            cv2.imwrite(str(keys / f"{k}.png"), given[..., ::-1])
            out = rgb_frames(colorize_video(film, work / f"{name}.mp4", model=model, keyframes=keys,
                                            progress=False).output)
            panels = [label(grays[k], f"gray frame {k}"), label(given, f"{name} given"),
                      *[label(out[i], f"frame {i}") for i in [k, *later][1 if name == 'keyframe' else 0:]]]
            rows.append(np.concatenate([np.pad(p, ((0, 0), (0, 4), (0, 0)), constant_values=255) for p in panels], 1))
        width = max(r.shape[1] for r in rows)
        rows = [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
        write_png(ROOT / "docs" / "workflow.png", np.concatenate(rows, 0))
    print("wrote docs/workflow.png")


if __name__ == "__main__":
    main()
