"""Compare settings of the temporal stage on color videos (the network runs once per frame).

    python scripts/sweep_temporal.py ../shared/data/video/color --set flow_scale=1.0 --set flow_scale=0.5

Each ``--set`` is one configuration (comma-separated KEY=VALUE fields of TemporalConfig); the
summary line per configuration is the one `vidcolor eval` prints for videos.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from vidcolor import load_model
from vidcolor.cli import summarize_videos
from vidcolor.evaluate import evaluate_video, list_videos
from vidcolor.inference import InferenceConfig
from vidcolor.temporal import TemporalConfig


def parse(spec: str) -> TemporalConfig:
    fields = {f.name: f.type for f in dataclasses.fields(TemporalConfig)}
    values = {}
    for item in filter(None, spec.split(",")):
        key, value = item.split("=", 1)
        if key not in fields:
            raise SystemExit(f"unknown TemporalConfig field {key!r} (known: {', '.join(fields)})")
        values[key] = value if key == "mode" else float(value)
    return TemporalConfig(**values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="+", type=Path)
    ap.add_argument("--set", dest="configs", action="append", default=[], help="One configuration, KEY=V,...")
    ap.add_argument("--weights")
    ap.add_argument("--render-size", type=int, default=InferenceConfig().render_size)
    args = ap.parse_args()
    configs = {spec or "default": parse(spec) for spec in args.configs or [""]}
    net = load_model(weights=args.weights)
    config = InferenceConfig(render_size=args.render_size)
    rows = {path.name: evaluate_video(path, net, config, configs) for target in args.targets
            for path in list_videos(target)}
    for i, name in enumerate(configs):
        picked = {video: [r[0], r[1], r[2 + i]] for video, r in rows.items()}
        print(f"{name}: {summarize_videos(picked)}")


if __name__ == "__main__":
    main()
