"""Throughput of `vidcolor run --ray` on a local Ray cluster: one worker node against two, and a local run.

    python bench/bench_ray.py [--clips 4] [--seconds 10]

A folder of generated 640x360 clips (and one film split into segments) is colorized three ways on
this machine: a plain local run, a 1-node cluster whose tasks take all its CPUs, and a 2-node cluster
sharing the same CPUs (one each). All nodes on loopback.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import make_clip
from ray.cluster_utils import Cluster


def run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vidcolor", "run", *args, "--quiet", "--overwrite"], check=True,
                   capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    cpus = os.cpu_count() or 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for i in range(args.clips):
            make_clip(folder / f"clip{i}.mp4", 640, 360, args.seconds)
        frames = round(args.clips * args.seconds * 25)
        common = ["--segment-seconds", str(args.seconds / 2)]
        rows = [("local run (no Ray)", run([str(folder), "-o", str(Path(tmp) / "local"), *common]))]
        for nodes in (1, 2):
            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": cpus // nodes})
            for _ in range(nodes - 1):
                cluster.add_node(num_cpus=cpus // nodes)
            cluster.wait_for_nodes()
            try:
                seconds = run([str(folder), "-o", str(Path(tmp) / f"ray{nodes}"), "--ray", cluster.address,
                               "--ray-cpus-per-task", str(cpus // nodes), *common])
            finally:
                cluster.shutdown()
            rows.append((f"Ray, {nodes} node(s) x {cpus // nodes} CPU", seconds))
    print(f"{args.clips} clips of {args.seconds:g} s at 640x360 ({frames} frames), {cpus} CPUs")
    print("| run | seconds | frames/s |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} | {frames / seconds:.1f} |")


if __name__ == "__main__":
    main()
