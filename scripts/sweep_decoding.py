"""Decoding sweep on the validation split: the chroma measures over annealed-mean temperatures,
confidence gates, tone stretch, chroma restoration, cast removal and the chroma floor, clean and film-like, running the
network once per photo (twice with --flip). How the shipped decoding is chosen (README, "The model");
never run it to choose anything on ../shared/data/eval.

    python scripts/sweep_decoding.py ../shared/data/train --split validation --weights W.pt \\
        --temperatures 0.9 1.0 1.1 1.2 --gates 0 0.2 0.3 --limit 400

--prior-corrections subtracts τ·log(rebalancing weight) from the logits, undoing the class rebalancing
the network was trained with (τ = 1: the calibrated posterior; the weights must keep their rebalancing:
scripts/keep_rebalancing.py); --flip, not a checkpoint setting, averages the log-probabilities of the
picture and its mirror image.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from vidcolor import load_model
from vidcolor.eval.chroma import ChromaSummary, chroma_scores, summarize
from vidcolor.eval.photos import input_gray, select_photos
from vidcolor.media.color import resize
from vidcolor.media.images import read_image
from vidcolor.models.archs.base import Decoding
from vidcolor.models.colorizer import upsample_ab
from vidcolor.pipeline.colorize import render_shape
from vidcolor.training.split import validation_names

# The bars for photos and film never seen (gain and CF-σ and hue45 at least, cast at most).
BARS = {"gain": 0.5, "cf_sigma_ratio": 0.65, "hue45": 0.63, "neutral_cast": 8.0}


def worst_bar(s: ChromaSummary) -> float:
    """The smallest of value/bar (bar/value for the cast): 1.0 or more means every bar is met."""
    return min(s.gain / BARS["gain"], s.cf_sigma_ratio / BARS["cf_sigma_ratio"], s.hue45 / BARS["hue45"],
               BARS["neutral_cast"] / max(s.neutral_cast, 1e-6))


def network_logits(net: torch.nn.Module, x: torch.Tensor, flip: bool) -> torch.Tensor:
    """The network's logits for one gray picture; with ``flip``, the mean log-probabilities of it and
    its mirror image (mirrored back)."""
    with torch.inference_mode():
        logits = net(x.contiguous(memory_format=torch.channels_last)).float()
        if not flip:
            return logits
        mirrored = net(x.flip(-1).contiguous(memory_format=torch.channels_last)).float().flip(-1)
        return 0.5 * (torch.log_softmax(logits, 1) + torch.log_softmax(mirrored, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--split", choices=["validation"], default="validation")
    ap.add_argument("--weights")
    ap.add_argument("--render-size", type=int, default=160)
    ap.add_argument("--temperatures", type=float, nargs="+", default=[0.9, 1.0, 1.1, 1.2])
    ap.add_argument("--gates", type=float, nargs="+", default=[0.0],
                    help="Confidence gate: chroma scaled by min(1, confidence / gate) (0: off).")
    ap.add_argument("--degrade", nargs="+", default=["clean", "film"])
    ap.add_argument("--limit", type=int, help="Photos, spread over the split.")
    ap.add_argument("--radii", type=float, nargs="+", default=[0.0],
                    help="Dominant-mode radii in ab units (0: the annealed mean over every bin).")
    ap.add_argument("--stretch", type=float, nargs="+", default=[0.0],
                    help="Tone stretch of the network's input: max gain (0: off); see models.archs.base.stretch_tones.")
    ap.add_argument("--prior-corrections", type=float, nargs="+", default=[0.0],
                    help="τ: logits − τ·log(rebalancing weight) before decoding (0: as trained).")
    ap.add_argument("--cast-removal", type=float, nargs="+", default=[0.0],
                    help="Share of each picture's mean ab taken away (0: off); see models.archs.base.remove_cast.")
    ap.add_argument("--restore", type=float, nargs="+", default=[0.0],
                    help="Chroma restoration exponent (0: off); see models.ab_bins.restore_chroma.")
    ap.add_argument("--floors", type=float, nargs="+", default=[0.0],
                    help="Chroma floor in ab units (0: off); see models.archs.base.floor_chroma.")
    ap.add_argument("--flip", action="store_true", help="Average with the mirror image's log-probabilities.")
    ap.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "vidcolor")
    args = ap.parse_args()
    model = load_model(weights=args.weights, device="cpu")
    photos = select_photos(args.folder, validation_names())
    if args.limit and args.limit < len(photos):
        photos = [photos[i] for i in np.linspace(0, len(photos) - 1, args.limit).astype(int)]
    combos = [(t, g, st, r, tau, k, c, f) for t in args.temperatures for g in args.gates for st in args.stretch
              for r in args.radii for tau in args.prior_corrections for k in args.restore for c in args.cast_removal
              for f in args.floors]
    scores = {(look, c): [] for look in args.degrade for c in combos}
    for path in photos:
        rgb = read_image(path)
        for look in args.degrade:
            gray = input_gray(path, rgb, None if look == "clean" else look)
            h, w = gray.shape
            rh, rw = render_shape(h, w, args.render_size)
            x = torch.from_numpy(resize(gray, rw, rh).astype(np.float32)[None, None])
            for st in args.stretch:
                model.net.config.input_stretch = st
                logits = network_logits(model.net, x, args.flip)
                for combo in combos:
                    t, g, s_, r, tau, k, c, f = combo
                    if s_ != st:
                        continue
                    decoding = Decoding(temperature=t, cast_removal=c, confidence_gate=g, mode_radius=r,
                                        chroma_restore=k, prior_correction=tau, chroma_floor=f)
                    ab = upsample_ab(model.net.decode_ab(logits, decoding), (rh, rw))[0].permute(1, 2, 0).numpy()
                    scores[(look, combo)].append(chroma_scores(rgb, resize(ab, w, h)))
    print(f"{args.folder} [{args.split} split] ({len(photos)} photos), render size {args.render_size}, "
          f"weights {model.info.weights_path}")
    print(f"{'input':<6} {'T':>5} {'gate':>5} {'strch':>5} {'mode':>5} {'prior':>5} {'rstr':>5} {'cast':>5} "
          f"{'floor':>5} {'gain dB':>8} {'CF-σ':>6} {'hue45':>6} {'neutral':>8} "
          f"{'worst':>6}")
    worst: dict[tuple[float, ...], float] = {}
    for (look, combo), rows in scores.items():
        s = summarize(rows)
        w = worst_bar(s)
        worst[combo] = min(worst.get(combo, w), w)
        print(f"{look:<6} " + " ".join(f"{v:>5}" for v in combo) + f" {s.gain:>+8.3f} {s.cf_sigma_ratio:>6.3f} "
              f"{s.hue45:>6.3f} {s.neutral_cast:>8.2f} {w:>6.3f}")
    best = max(worst, key=worst.get)
    t, g, st, r, tau, k, c, f = best
    print(f"best worst-bar ratio over {', '.join(args.degrade)}{' (flip-averaged)' if args.flip else ''}: T {t}, "
          f"gate {g}, stretch {st}, mode radius {r}, prior correction {tau}, restore {k}, cast removal {c}, "
          f"chroma floor {f} ({worst[best]:.3f})")


if __name__ == "__main__":
    main()
