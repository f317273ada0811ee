"""Video clips made from the validation split's photos: a video validation set on the training side.

The color clips in ../shared/data/video are for reporting only, so nothing about video (the temporal
stage, a stride, a decoding for film) can be chosen on them. These clips can: each is one validation
photo (never trained on) seen through a slowly panning and zooming window, in color, so
`vidcolor eval DIR` (which colorizes gray copies) measures the temporal stage and the do-no-harm chroma
gain on material of the training side. Street and people folders come first: they are what archival
film shows (and what the do-no-harm bar is failed on). Written outside the project (data never goes
into it):

    python scripts/make_video_split.py ../shared/data/train ~/.cache/vidcolor/video-split --clips 32
    vidcolor eval ~/.cache/vidcolor/video-split

``--white-balance B`` makes the same clips under another white balance each (seeded by the clip's name:
b shifted by up to ±B, a by up to ±B/3, L kept, so the gray input is the same): footage from cameras
is rarely balanced like the photos the network learned from (webcams run cool, tungsten warm), and no
gray picture tells which; a decoding that paints a confident cast loses there, one that leans to
neutral does not.

``--low-color`` makes its clips from the validation photos whose truth is least colorful (mean chroma,
all folders): overcast streets, gray interiors, snow and rock, the "nearly colorless street" of the
do-no-harm bar, where every vivid guess is harm and the safe color is a weak one.
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from vidcolor.media.color import shift_white_balance
from vidcolor.media.degrade import seed_for
from vidcolor.media.images import read_image
from vidcolor.training.split import validation_names

WIDTH, HEIGHT, FPS, FRAMES = 256, 160, 12, 24
FIRST = ("ped-streets", "camvid", "intel-scenes", "lfw", "ccp-street-fashion")  # the material of archival film


def pick(root: Path, clips: int) -> list[Path]:
    """``clips`` validation photos, the street and people folders first, evenly through each folder (by name)."""
    names = sorted(validation_names())
    by_folder: dict[str, list[str]] = {}
    for name in names:
        by_folder.setdefault(name.split("/")[0], []).append(name)
    order = [f for f in FIRST if f in by_folder] + [f for f in sorted(by_folder) if f not in FIRST]
    picked: list[str] = []
    rounds = 0
    while len(picked) < clips and rounds < max(len(v) for v in by_folder.values()):
        for folder in order:
            items = by_folder[folder]
            if rounds < len(items) and len(picked) < clips:
                picked.append(items[(rounds * 7) % len(items)])
        rounds += 1
    return [root / n for n in picked]


def least_colorful(root: Path, clips: int) -> list[Path]:
    """The ``clips`` validation photos with the lowest mean chroma √(a² + b²) (ties by name)."""
    def mean_chroma(path: Path) -> float:
        lab = cv2.cvtColor(read_image(path).astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
        return float(np.hypot(lab[..., 1], lab[..., 2]).mean())

    photos = [root / n for n in sorted(validation_names())]
    return sorted(photos, key=lambda p: (mean_chroma(p), str(p)))[:clips]


def frames(rgb: np.ndarray) -> list[np.ndarray]:
    """A window of the clip's aspect moving across and into the photo: 10% zoom, a quarter-width pan."""
    h, w = rgb.shape[:2]
    scale = max(WIDTH / w, HEIGHT / h) * 1.35
    big = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    bh, bw = big.shape[:2]
    out = []
    for i in range(FRAMES):
        t = i / (FRAMES - 1)
        zoom = 1.0 + 0.1 * t
        cw, ch = WIDTH / zoom * 1.2, HEIGHT / zoom * 1.2
        x0 = (bw - cw) * (0.2 + 0.3 * t)
        y0 = (bh - ch) * 0.5
        crop = cv2.getRectSubPix(big, (round(cw), round(ch)), (x0 + cw / 2, y0 + ch / 2))
        out.append(cv2.resize(crop, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA))
    return out


def write_clip(path: Path, pictures: list[np.ndarray]) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with av.open(str(tmp), "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.options = {"crf": "14", "preset": "medium"}
        for i, rgb in enumerate(pictures):
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            f.pts, f.time_base = i, Fraction(1, FPS)
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
    tmp.replace(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", type=Path, help="The training data root (../shared/data/train).")
    ap.add_argument("out", type=Path, help="Where the clips go (outside the project).")
    ap.add_argument("--clips", type=int, default=32)
    ap.add_argument("--white-balance", type=float, default=0.0,
                    help="Each clip's truth under another white balance: b shifted by up to ± this (0: as shot).")
    ap.add_argument("--low-color", action="store_true", help="The least colorful validation photos instead.")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for photo in (least_colorful if args.low_color else pick)(args.train, args.clips):
        name = f"{photo.parent.name}--{photo.stem}.mp4"
        rgb = read_image(photo)
        if args.white_balance:
            rng = np.random.default_rng(seed_for(name, salt=1))
            da, db = rng.uniform(-1, 1, 2) * args.white_balance * np.array([1 / 3, 1])
            rgb = shift_white_balance(rgb, float(da), float(db))
            name = f"{name[:-4]}--wb{db:+.0f}.mp4"
        write_clip(args.out / name, frames(rgb))
        print(name)


if __name__ == "__main__":
    main()
