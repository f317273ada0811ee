"""Blend two weights files of one run's lineage: w × B + (1 − w) × A, tensor by tensor.

A fine-tuned network and the one it started from lie in one basin, so the straight line between them
keeps working networks and can hold what each is good at (Wortsman et al. 2022, "Robust fine-tuning of
zero-shot models", WiSE-FT): here the shipped file (clean photos and video) and the film-like run's end
(film-like photos). The blend keeps A's architecture and decoding settings; its metadata says what was
blended. Which w ships is chosen on the validation split and the video validation sets, never on
../shared/data/eval:

    python scripts/blend_weights.py weights/effunet.pt runs/film75/step-40000.pt 0.5 --out blend.pt
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vidcolor.models.checkpoint import blend_states, read_checkpoint, save_weights
from vidcolor.models.zoo import net_from_checkpoint


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path, help="The starting point (its decoding settings are kept).")
    ap.add_argument("b", type=Path, help="The fine-tuned file.")
    ap.add_argument("w", type=float, help="Share of B, 0..1.")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    a, b = read_checkpoint(args.a), read_checkpoint(args.b)
    net = net_from_checkpoint(a | {"state_dict": blend_states(a, b, args.w)})
    steps = (a["meta"].get("steps"), b["meta"].get("steps"))
    meta = a["meta"] | {"steps": max(s or 0 for s in steps),
                        "blend": f"{1 - args.w:g} x {args.a.name} (step {steps[0]}) + "
                                 f"{args.w:g} x {args.b.name} (step {steps[1]})"}
    save_weights(args.out, net, a["arch"], a["config"], meta)
    print(f"{args.out}: {meta['blend']}")


if __name__ == "__main__":
    main()
