"""Render the README's pictures with the shipped weights: the sample reel and the genuine B&W clips.

    python scripts/render_gallery.py [--bw ../shared/data/video/bw]

docs/before-after.png: `vidcolor preview` of samples/archive-reel.mp4 at one time per shot.
docs/bw-sheet.png: the same for every clip in the B&W folder (public-domain Muybridge sequences),
three times each. Gray on the left, colorized on the right, as the full run writes them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from vidcolor import load_model
from vidcolor.media.images import write_png
from vidcolor.media.probe import probe
from vidcolor.pipeline.preview import preview

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bw", type=Path, default=ROOT.parent / "shared" / "data" / "video" / "bw")
    ap.add_argument("--weights")
    args = ap.parse_args()
    model = load_model(weights=args.weights, device="cpu")
    write_png(ROOT / "docs" / "before-after.png",
              preview(ROOT / "samples" / "archive-reel.mp4", [0.7, 2.2, 3.7, 5.2], model))
    sheets = []
    for clip in sorted(args.bw.glob("*.mp4")):
        length = probe(clip).duration or 1.0
        sheets.append(preview(clip, [length * f for f in (0.2, 0.5, 0.8)], model))
    if sheets:
        width = max(s.shape[1] for s in sheets)
        sheets = [np.pad(s, ((0, 8), (0, width - s.shape[1]), (0, 0)), constant_values=255) for s in sheets]
        write_png(ROOT / "docs" / "bw-sheet.png", np.concatenate(sheets, 0))
    print("wrote docs/before-after.png" + (" and docs/bw-sheet.png" if sheets else ""))


if __name__ == "__main__":
    main()
