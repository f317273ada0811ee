"""Compare settings of the temporal stage, or film decodings, on color videos (the network runs once per frame
and decoding).

    python scripts/sweep_temporal.py ~/.cache/vidcolor/video-split --set flow_scale=1.0 --set flow_scale=0.5
    python scripts/sweep_temporal.py ~/.cache/vidcolor/video-split --set predict_every=1 --set ""
    python scripts/sweep_temporal.py ~/.cache/vidcolor/video-split --decoding "" --decoding chroma_floor=4

Each ``--set`` is one configuration of the flow method (comma-separated KEY=VALUE fields of
FlowConfig, or method=off; "" is the default); each ``--decoding`` one film decoding (KEY=VALUE fields of
the decoding settings over the weights' own film decoding; "" is theirs). The summary line per pair is the
one `vidcolor eval` prints. Never run it to choose anything on ../shared/data/video (reporting only).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from vidcolor import InferenceConfig, load_model
from vidcolor.eval.tables import summarize_videos
from vidcolor.eval.videos import evaluate_video, list_videos
from vidcolor.media.degrade import REELS
from vidcolor.models.colorizer import FILM_SETTINGS
from vidcolor.pipeline.temporal import FlowConfig, TemporalConfig, temporal_config


def parse(spec: str) -> TemporalConfig:
    types = {f.name: f.type for f in dataclasses.fields(FlowConfig) if f.init}
    fields = set(types) | {"method"}
    values: dict[str, float | int] = {}
    method = "flow"
    for item in filter(None, spec.split(",")):
        key, value = item.split("=", 1)
        if key not in fields:
            raise SystemExit(f"unknown FlowConfig field {key!r} (known: {', '.join(sorted(fields))})")
        if key == "method":
            method = value
        else:
            values[key] = int(value) if types[key] in (int, "int") else float(value)
    return temporal_config(method, **values)


def parse_decoding(spec: str, render_size: int) -> InferenceConfig:
    """KEY=VALUE,... of the decoding settings (``models.colorizer.FILM_SETTINGS``) as inference settings."""
    values: dict[str, float] = {}
    for item in filter(None, spec.split(",")):
        key, value = item.split("=", 1)
        if key not in FILM_SETTINGS:
            raise SystemExit(f"unknown decoding setting {key!r} (known: {', '.join(FILM_SETTINGS)})")
        values[key] = float(value)
    return InferenceConfig(render_size=render_size, **values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="+", type=Path)
    ap.add_argument("--set", dest="configs", action="append", default=[], help="One configuration, KEY=V,...")
    ap.add_argument("--decoding", dest="decodings", action="append", default=[],
                    help="One film decoding, KEY=V,... over the weights' own ('' is theirs).")
    ap.add_argument("--weights")
    ap.add_argument("--render-size", type=int, default=InferenceConfig().render_size)
    ap.add_argument("--degrade", choices=sorted(REELS), help="The gray copies made film-like first (a reel each).")
    args = ap.parse_args()
    configs = {spec or "default": parse(spec) for spec in args.configs or [""]}
    net = load_model(weights=args.weights, device="cpu")
    videos = [path for target in args.targets for path in list_videos(target)]
    for spec in args.decodings or [""]:
        config = parse_decoding(spec, args.render_size)
        rows = {path.name: evaluate_video(path, net, config, configs, progress=False, degrade=args.degrade)
                for path in videos}
        for i, name in enumerate(configs):
            picked = {video: [r[0], r[1], r[2 + i]] for video, r in rows.items()}  # original, off, this one
            label = f"{spec or 'own film decoding'} / {name}" if args.decodings else name
            print(f"{label}: {summarize_videos(picked)}", flush=True)


if __name__ == "__main__":
    main()
