"""Set how a weights file sees and decodes by default: the input tone stretch, the annealed-mean
temperature, the confidence gate and the dominant-mode radius.

All four are choices, not trained weights: they are picked on the validation split of the
training photos (``scripts/sweep_decoding.py``) after training and stored in the checkpoint's config,
so ``vidcolor run`` uses them without a flag. The tensors (and their sha256) are unchanged.

    python scripts/set_decoding.py weights/effunet.pt 0.8 --gate 0 --stretch 3 --mode-radius 25
"""

from __future__ import annotations

import argparse

from vidcolor.models.checkpoint import atomic_save, read_checkpoint


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights")
    ap.add_argument("temperature", type=float)
    ap.add_argument("--gate", type=float, default=0.0, help="Confidence gate (0: off).")
    ap.add_argument("--stretch", type=float, default=0.0, help="Input tone stretch, max gain (0: off).")
    ap.add_argument("--mode-radius", type=float, default=0.0, help="Dominant-mode radius, ab units (0: off).")
    ap.add_argument("--note", default="", help="Where the choice came from (kept in the file's metadata).")
    args = ap.parse_args()
    ckpt = read_checkpoint(args.weights)
    if ckpt["arch"] != "effunet" and "temperature" not in ckpt["config"]:
        raise SystemExit(f"{args.weights}: model '{ckpt['arch']}' has no temperature")
    cfg = ckpt["config"]
    old = (cfg.get("temperature"), cfg.get("confidence_gate", 0.0), cfg.get("input_stretch", 0.0),
           cfg.get("mode_radius", 0.0))
    new = (args.temperature, args.gate, args.stretch, args.mode_radius)
    cfg["temperature"], cfg["confidence_gate"], cfg["input_stretch"], cfg["mode_radius"] = new
    ckpt["meta"]["decoding_note"] = (f"T, gate, stretch, mode radius {new} (was {old})"
                                     + (f": {args.note}" if args.note else ""))
    atomic_save(ckpt, args.weights)
    print(f"{args.weights}: temperature, gate, stretch, mode radius {old} -> {new}")


if __name__ == "__main__":
    main()
