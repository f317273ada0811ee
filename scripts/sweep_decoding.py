"""Decoding sweep: PSNR and colorfulness ratio over annealed-mean temperatures (and a chroma gain)
at one render size, running the network once per photo. How the default T was chosen (README).

    python scripts/sweep_decoding.py ../shared/data/eval/bsds500-test --render-size 160 \\
        --temperatures 0.9 1.0 1.1 1.2 --gains 1.0 1.1
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from vidcolor import ab_bins, load_model
from vidcolor.color import gray_to_L, lab_to_rgb, resize, to_uint8
from vidcolor.evaluate import list_photos
from vidcolor.image import gray_of, read_image
from vidcolor.inference import AB_UPSAMPLE, render_shape, upsample_ab
from vidcolor.metrics import colorfulness, psnr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--weights")
    ap.add_argument("--render-size", type=int, default=160)
    ap.add_argument("--temperatures", type=float, nargs="+", default=[0.75, 0.9, 1.0, 1.1, 1.2, 1.5])
    ap.add_argument("--gains", type=float, nargs="+", default=[1.0])
    ap.add_argument("--upsample", nargs="+", default=[AB_UPSAMPLE], choices=["bilinear", "bicubic"],
                    help="How ab reaches the working size.")
    ap.add_argument("--limit", type=int, help="Only the first N photos.")
    args = ap.parse_args()
    model = load_model(weights=args.weights).eval()
    combos = [(t, g, u) for u in args.upsample for t in args.temperatures for g in args.gains]
    scores: dict[tuple[float, float, str], list[tuple[float, float]]] = {c: [] for c in combos}
    cf_orig = []
    for path in list_photos(args.folder)[: args.limit]:
        rgb = read_image(path)
        gray = gray_of(rgb)
        h, w = gray.shape
        rh, rw = render_shape(h, w, args.render_size)
        with torch.inference_mode():
            logits = model(torch.from_numpy(resize(gray, rw, rh)[None, None].astype(np.float32))).float()
        cf_orig.append(colorfulness(rgb))
        L = gray_to_L(gray)
        for t, g, u in combos:
            ab = upsample_ab(ab_bins.annealed_mean(logits, t) * g, (rh, rw), u)[0].permute(1, 2, 0).numpy()
            out = to_uint8(lab_to_rgb(np.dstack([L, resize(ab, w, h)])))
            scores[(t, g, u)].append((psnr(out, rgb), colorfulness(out)))
    print(f"{args.folder} ({len(cf_orig)} photos), render size {args.render_size}")
    print("upsample  T      gain   PSNR dB  colorfulness ratio")
    for (t, g, u), vals in scores.items():
        p, c = np.mean(vals, axis=0)
        print(f"{u:<9} {t:<6} {g:<6} {p:7.3f}  {c / np.mean(cf_orig):.4f}")


if __name__ == "__main__":
    main()
