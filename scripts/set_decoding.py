"""Set how a weights file decodes by default: the annealed-mean temperature and the confidence gate.

Both are decoding choices, not trained weights: they are picked on the validation split of the
training photos (``scripts/sweep_decoding.py``) after training and stored in the checkpoint's config,
so ``vidcolor run`` uses them without a flag. The tensors (and their sha256) are unchanged.

    python scripts/set_decoding.py weights/effunet.pt 1.1 --gate 0.3
"""

from __future__ import annotations

import argparse

from vidcolor.models.checkpoint import atomic_save, read_checkpoint


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights")
    ap.add_argument("temperature", type=float)
    ap.add_argument("--gate", type=float, default=0.0, help="Confidence gate (0: off).")
    ap.add_argument("--note", default="", help="Where the choice came from (kept in the file's metadata).")
    args = ap.parse_args()
    ckpt = read_checkpoint(args.weights)
    if ckpt["arch"] != "effunet" and "temperature" not in ckpt["config"]:
        raise SystemExit(f"{args.weights}: model '{ckpt['arch']}' has no temperature")
    old = (ckpt["config"].get("temperature"), ckpt["config"].get("confidence_gate", 0.0))
    ckpt["config"]["temperature"] = args.temperature
    ckpt["config"]["confidence_gate"] = args.gate
    ckpt["meta"]["decoding_note"] = (f"T {args.temperature}, gate {args.gate} (was {old[0]}, {old[1]})"
                                     + (f": {args.note}" if args.note else ""))
    atomic_save(ckpt, args.weights)
    print(f"{args.weights}: temperature {old[0]} -> {args.temperature}, gate {old[1]} -> {args.gate}")


if __name__ == "__main__":
    main()
