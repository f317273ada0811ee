"""Model-only frames/s: one caller with N torch threads against N callers with one thread each.

On a 2-core VM the second layout was faster (README, "Speed and memory"): every
op of a multi-threaded call ends in an OpenMP barrier, so when the OS preempts
one of its threads both cores wait. A measurement for planning, not a test.

    python bench/bench_threads.py [--callers 2] [--seconds 8]
"""

from __future__ import annotations

import argparse
import threading

import torch
from bench_speed import model_fps

from vidcolor import load_model
from vidcolor.inference import InferenceConfig, prepare_model, render_shape


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--callers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    config = InferenceConfig()
    model = prepare_model(load_model(), torch.device("cpu"))
    shape, batch = render_shape(360, 640, config.render_size), config.batch_size
    torch.set_num_threads(args.callers)
    before = model_fps(model, shape, batch, args.seconds)
    torch.set_num_threads(1)
    results: list[float] = []
    workers = [threading.Thread(target=lambda: results.append(model_fps(model, shape, batch, args.seconds)))
               for _ in range(args.callers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    torch.set_num_threads(args.callers)
    after = model_fps(model, shape, batch, args.seconds)
    print(f"input {batch}x1x{shape[0]}x{shape[1]}: one caller x {args.callers} threads {before:.1f} then {after:.1f} fps; "
          f"{args.callers} callers x 1 thread {' + '.join(f'{r:.1f}' for r in results)} = {sum(results):.1f} fps")


if __name__ == "__main__":
    main()
