"""Speed of every zoo model on this machine (a benchmark script, not a test).

For each model: parameters, model-only frames/s at the default render size for
a 640x360 film (as bench_speed measures it: the faster of one caller and the
run's model workers, TorchScript graphs), and end-to-end frames/s of ``colorize_video`` on a generated
10-second 640x360 clip with default settings. Uses the shipped weights where
there are some (speed does not depend on them).

    python bench/bench_zoo.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import end_to_end, make_clip, models_fps

from vidcolor import Colorizer, Execution, InferenceConfig, Recipe, load_model
from vidcolor.errors import VidcolorError
from vidcolor.models import zoo
from vidcolor.models.colorizer import ModelInfo
from vidcolor.pipeline.colorize import render_shape
from vidcolor.runtime.malloc import keep_freed_memory


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("models", nargs="*", default=list(zoo.MODELS))
    args = ap.parse_args()
    keep_freed_memory()  # as the CLI does
    recipe, execution = Recipe(), Execution(device="cpu")
    shape = render_shape(360, 640, InferenceConfig().render_size)
    print(f"machine: {platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}; "
          f"640x360 clip, network input {shape[1]}x{shape[0]}, {execution.batch_size or 'one frame'} per call")
    print("\n| model | parameters | model-only fps | end-to-end fps |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "clip.mp4", 640, 360, args.seconds)
        for name in args.models:
            try:
                model = load_model(name, device="cpu")
            except VidcolorError:
                model = Colorizer(zoo.build_model(name, pretrained=False), ModelInfo(name), "cpu")
            params = sum(p.numel() for p in model.net.parameters())
            mfps = max(models_fps(model, shape, execution, 6).values())
            e2e = end_to_end(clip, Path(tmp) / f"{name}.mp4", model, recipe, execution)
            print(f"| {name} | {params / 1e6:.2f} M | {mfps:.1f} | {e2e:.1f} |", flush=True)


if __name__ == "__main__":
    main()
