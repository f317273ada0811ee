"""Set how a weights file sees and decodes by default: the input tone stretch, the annealed-mean
temperature, the confidence gate, the dominant-mode radius, the cast removal and the chroma restoration.

All six are choices, not trained weights: they are picked on the validation split of the
training photos (``scripts/sweep_decoding.py``) after training and stored in the checkpoint's config,
so ``vidcolor run`` uses them without a flag. The tensors (and their sha256) are unchanged.

``--film`` sets the file's film decoding instead (what a film's frames decode with, chosen on the video
validation sets with ``scripts/sweep_temporal.py``; every setting but the input stretch):

    python scripts/set_decoding.py weights/effunet.pt 0.8 --gate 0 --stretch 3 --mode-radius 25
    python scripts/set_decoding.py weights/effunet.pt 1.1 --cast-removal 0.5 --gate 0.3 --film
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
    ap.add_argument("--cast-removal", type=float, default=0.0,
                    help="Share of each picture's mean ab taken away (0: off).")
    ap.add_argument("--restore", type=float, default=0.0, help="Chroma restoration exponent (0: off).")
    ap.add_argument("--note", default="", help="Where the choice came from (kept in the file's metadata).")
    ap.add_argument("--scene-gain-power", type=float,
                    help="The picture-wide gain of a SceneGain head raised to this (0: unused) [default: kept].")
    ap.add_argument("--prior-correction", type=float,
                    help="Share of the class rebalancing undone (0: off; scripts/keep_rebalancing.py first) "
                         "[default: kept].")
    ap.add_argument("--smoothing", type=float,
                    help="Film decoding only: edge-aware chroma smoothing radius (models/guided.py; 0: off) "
                         "[default: kept].")
    ap.add_argument("--floor", type=float,
                    help="Film decoding only: chroma floor, ab units (a soft threshold; 0: off) [default: kept].")
    ap.add_argument("--film", action="store_true", help="Set the film decoding (videos) instead of the photo one.")
    args = ap.parse_args()
    ckpt = read_checkpoint(args.weights)
    if ckpt["arch"] != "effunet" and "temperature" not in ckpt["config"]:
        raise SystemExit(f"{args.weights}: model '{ckpt['arch']}' has no temperature")
    for name in ("smoothing", "floor"):
        if getattr(args, name) is not None and not args.film:
            raise SystemExit(f"--{name} is a film decoding setting (add --film)")
    if args.film:
        if args.stretch or args.mode_radius:
            raise SystemExit("a film decoding sets the temperature, gate, cast removal and restoration only")
        old_film = ckpt.get("film_decoding", {})
        ckpt["film_decoding"] = {"temperature": args.temperature, "confidence_gate": args.gate,
                                 "cast_removal": args.cast_removal, "chroma_restore": args.restore}
        kept = {"chroma_smoothing": args.smoothing, "chroma_floor": args.floor,
                "scene_gain_power": args.scene_gain_power,
                "prior_correction": args.prior_correction}
        for name, value in kept.items():
            if value is not None:
                ckpt["film_decoding"][name] = value
            elif name in old_film:
                ckpt["film_decoding"][name] = old_film[name]
        ckpt["meta"]["film_decoding_note"] = (f"{ckpt['film_decoding']} (was {old_film or 'the photo decoding'})"
                                              + (f": {args.note}" if args.note else ""))
        atomic_save(ckpt, args.weights)
        print(f"{args.weights}: film decoding {old_film or 'the photo decoding'} -> {ckpt['film_decoding']}")
        return
    cfg = ckpt["config"]
    keys = ("temperature", "confidence_gate", "input_stretch", "mode_radius", "cast_removal", "chroma_restore")
    old = tuple(cfg.get(k, 0.0) for k in keys)
    new = (args.temperature, args.gate, args.stretch, args.mode_radius, args.cast_removal, args.restore)
    cfg.update(zip(keys, new))
    for name in ("scene_gain_power", "prior_correction"):
        if getattr(args, name) is not None:
            cfg[name] = getattr(args, name)
    ckpt["meta"]["decoding_note"] = (f"T, gate, stretch, mode radius, cast removal, restore {new} (was {old})"
                                     + (f": {args.note}" if args.note else ""))
    atomic_save(ckpt, args.weights)
    print(f"{args.weights}: temperature, gate, stretch, mode radius, cast removal, restore {old} -> {new}")


if __name__ == "__main__":
    main()
