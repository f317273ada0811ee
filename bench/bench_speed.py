"""Speed and memory of vidcolor on this machine (a benchmark script, not a test).

Prints, for generated 640x360 and 1280x720 clips: the decode+encode ceiling
(no model), model-only frames/s at the default render size (the faster of one
caller with all torch threads and the run's layout of model workers), end-to-end
frames/s, their ratio, the temporal stage's cost relative to the model, and
peak RSS of a full run on a 10-second and a 10-minute clip; and the model
against the ECCV16 network at the same input size.

    python bench/bench_speed.py [--long-minutes 10] [--rss-render-size 224]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eccv16 import ECCV16

from vidcolor import Colorizer, Execution, InferenceConfig, Recipe, colorize_video, load_model
from vidcolor.media.decode import decode
from vidcolor.media.encode import EncodeSettings
from vidcolor.media.remux import join_segments
from vidcolor.media.segments import SegmentWriter, WorkDir
from vidcolor.models.backends import resolve_backend
from vidcolor.pipeline.colorize import WorkerLayout, gray_small, render_shape, worker_layout
from vidcolor.pipeline.temporal import FlowConfig, Stabilizer
from vidcolor.runtime.malloc import keep_freed_memory
from vidcolor.runtime.threads import opencv_threads


def make_clip(path: Path, width: int, height: int, seconds: float, fps: int = 25) -> Path:
    """A gray film-like clip: a textured pan with grain, and a sound track."""
    rng = np.random.default_rng(0)
    base = cv2.resize((rng.random((90, 320)) * 255).astype(np.uint8), (width * 2, height),
                      interpolation=cv2.INTER_CUBIC)
    base = cv2.GaussianBlur(base, (0, 0), 3)
    n = int(seconds * fps)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "23"}
        a = out.add_stream("aac", rate=16000, layout="mono")
        for i in range(n):
            x = (i * 3) % width
            g = np.clip(base[:, x:x + width].astype(np.int16) + rng.integers(-6, 7, (height, width)), 0, 255)
            f = av.VideoFrame.from_ndarray(g.astype(np.uint8), format="gray").reformat(format="yuv420p")
            f.pts, f.time_base = i, Fraction(1, fps)
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
        samples = int(seconds * 16000)
        for start in range(0, samples, 1024):
            af = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            af.sample_rate, af.pts, af.time_base = 16000, start, Fraction(1, 16000)
            out.mux(a.encode(af))
        out.mux(a.encode(None))
    return path


def io_ceiling(clip: Path, work: Path, render: int) -> float:
    """Frames/s of decode + chroma writing + encode + remux, with zero chroma instead of a model."""
    wd = WorkDir(work / "io-work", {})
    wd.prepare()
    writer = SegmentWriter(wd, EncodeSettings(), Fraction(25), 10**9)
    t = time.perf_counter()
    n = 0
    for f in decode(clip):
        f.gray = gray_small(f, render)
        f.ab = np.zeros((*f.gray.shape, 2), np.float32)
        writer.write(f)
        n += 1
    writer.finish_segment()
    join_segments(wd.segments(), clip, work / "io.mp4")
    dt = time.perf_counter() - t
    wd.remove()
    return n / dt


def model_fps(model: Colorizer, shape: tuple[int, int], batch: int, seconds: float = 8.0,
              layout: WorkerLayout | None = None, graphs: bool = False, backend: str = "torch") -> float:
    """Frames/s of the network alone on batches of random gray at the working size.

    ``layout``: ``workers`` callers side by side with ``threads`` torch threads each,
    their frames/s summed (default: one caller with torch's current threads).
    """
    layout = layout or WorkerLayout(1, torch.get_num_threads())
    x = torch.rand(batch, 1, *shape) * 255
    results: list[float] = []

    def caller() -> None:
        torch.set_num_threads(layout.threads)
        model.predict_ab(x, graphs=graphs, backend=backend)
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            model.predict_ab(x, graphs=graphs, backend=backend)
            n += batch
        results.append(n / (time.perf_counter() - t))

    previous = torch.get_num_threads()
    callers = [threading.Thread(target=caller) for _ in range(layout.workers)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    torch.set_num_threads(previous)
    return sum(results)


def run_layouts(execution: Execution, model: Colorizer) -> list[WorkerLayout]:
    """One caller with all torch threads, and the run's own layout of model workers (if different)."""
    layouts = {WorkerLayout(1, torch.get_num_threads()), worker_layout(execution, model)}
    return sorted(layouts, key=lambda lay: lay.workers)


def models_fps(model: Colorizer, shape: tuple[int, int], execution: Execution,
               seconds: float) -> dict[WorkerLayout, float]:
    """Model-only frames/s of the network as the run uses it (TorchScript graphs unless --no-jit), per layout."""
    return {lay: model_fps(model, shape, execution.batch_size, seconds, lay, graphs=execution.jit,
                           backend=execution.backend) for lay in run_layouts(execution, model)}


def raw_fps(net: torch.nn.Module, shape: tuple[int, int], batch: int, seconds: float = 8.0) -> float:
    x = (torch.rand(batch, 1, *shape) * 255).contiguous(memory_format=torch.channels_last)
    net = net.eval().to(memory_format=torch.channels_last)
    with torch.inference_mode():
        net(x)
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds:
            net(x)
            n += batch
    return n / (time.perf_counter() - t)


def temporal_ms(clip: Path, render: int, frames: int = 100) -> float:
    """Milliseconds per frame of the temporal stage, with OpenCV on one thread as in a run."""
    stab = Stabilizer(FlowConfig())
    items = []
    for f in decode(clip):
        f.gray = gray_small(f, render)
        f.ab = np.zeros((*f.gray.shape, 2), np.float32)
        items.append(f)
        if len(items) == frames:
            break
    with opencv_threads(1):
        t = time.perf_counter()
        for f in items:
            stab(f)
        return (time.perf_counter() - t) / len(items) * 1000


def end_to_end(clip: Path, out: Path, model: Colorizer, recipe: Recipe, execution: Execution) -> float:
    r = colorize_video(clip, out, recipe=recipe, execution=execution, model=model, overwrite=True, progress=False)
    return r.frames / r.seconds


# The child's own high-water mark. Not getrusage's ru_maxrss: Linux carries that over from the parent
# across fork+exec, so a child of this (large) benchmark process reported the benchmark's peak.
PEAK_KB = """
def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def peak_rss_mb(clip: Path, out: Path, render: int) -> float:
    """Peak resident memory of a whole `vidcolor run` in a child process."""
    code = (PEAK_KB + "import sys,vidcolor;"
            "from vidcolor.runtime.malloc import keep_freed_memory;keep_freed_memory();"
            f"vidcolor.colorize_video(sys.argv[1], sys.argv[2], overwrite=True, progress=False,"
            f"recipe=vidcolor.Recipe(inference=vidcolor.InferenceConfig(render_size={render})));"
            "print(peak_kb())")
    proc = subprocess.run([sys.executable, "-c", code, str(clip), str(out)], capture_output=True, text=True,
                          check=True)
    return int(proc.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long-minutes", type=float, default=10.0)
    ap.add_argument("--rss-render-size", type=int, default=224)
    ap.add_argument("--render-size", type=int, default=InferenceConfig().render_size)
    ap.add_argument("--rounds", type=int, default=3, help="End-to-end runs per clip (medians are printed).")
    ap.add_argument("--preset", default=EncodeSettings.preset, help="x264 preset of the end-to-end runs.")
    ap.add_argument("--workers", type=int, default=Execution.workers,
                    help="Model workers of the end-to-end runs (0: vidcolor's default).")
    ap.add_argument("--no-jit", action="store_true", help="Run the plain model, not its prepared graphs.")
    ap.add_argument("--backend", default=Execution.backend, help="CPU graphs: auto, torch or onnxruntime.")
    ap.add_argument("--seconds", type=float, default=30.0,
                    help="Length of the 640x360 clip (1280x720: 0.6x); each file also pays ~0.2 s to start and drain.")
    ap.add_argument("--only", choices=["speed", "rss"], help="Run only one half of the benchmark.")
    ap.add_argument("--sizes", default="640x360,1280x720",
                    help="Clip sizes of the speed table (the second and later clips are 0.6x as long).")
    ap.add_argument("--no-eccv", action="store_true", help="Skip the ECCV16 comparison.")
    ap.add_argument("--with-compile", action="store_true",
                    help="Also time the --compile path at 640x360 (adds its one-time compile).")
    args = ap.parse_args()
    keep_freed_memory()  # as the CLI does
    torch.set_num_threads(torch.get_num_threads())
    model = load_model(device="cpu")
    recipe = Recipe(inference=InferenceConfig(render_size=args.render_size), encode=EncodeSettings(preset=args.preset))
    execution = Execution(device="cpu", workers=args.workers, jit=not args.no_jit,
                          backend=resolve_backend(args.backend))
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, "
          f"torch {torch.__version__}, PyAV {av.__version__}, render size {args.render_size}, "
          f"x264 preset {args.preset}, model workers {args.workers or 'auto'}, "
          f"{'plain model' if args.no_jit else execution.backend + ' graphs'}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only != "rss":
            speed(args, model, recipe, execution, work)
        if args.only != "speed":
            memory(args, work)


def speed(args: argparse.Namespace, model: Colorizer, recipe: Recipe, execution: Execution, work: Path) -> None:
    """Frames/s table at 640x360 and 1280x720, then the model against ECCV16."""
    layouts = run_layouts(execution, model)
    print("model-only is the faster of: " + ", ".join(f"{lay.workers} caller(s) x {lay.threads} thread(s)"
                                                       for lay in layouts))
    rows = []
    sizes = [tuple(map(int, s.split("x"))) for s in args.sizes.split(",")]
    for n, (w, h) in enumerate(sizes):
        secs = args.seconds if n == 0 else args.seconds * 0.6
        clip = make_clip(work / f"clip{w}.mp4", w, h, secs)
        shape = render_shape(h, w, args.render_size)
        ceiling = io_ceiling(clip, work, args.render_size)


        def model_only(shape: tuple[int, int] = shape) -> dict[WorkerLayout, float]:
            return models_fps(model, shape, execution, 4)

        # model-only (every layout) before and after each end-to-end run, and the median over rounds: this
        # VM's speed drifts by tens of percent within minutes, and the ratio must compare like with like
        model_runs = [model_only()]
        e2e_runs = []
        for _ in range(args.rounds):
            e2e_runs.append(end_to_end(clip, work / f"out{w}.mp4", model, recipe, execution))
            model_runs.append(model_only())
        best = [max(m.values()) for m in model_runs]
        mfps, e2e = statistics.median(best), statistics.median(e2e_runs)
        ratio = statistics.median(e / ((a + b) / 2) for e, a, b in zip(e2e_runs, best, best[1:]))
        per_layout = ", ".join(f"{lay.workers}x{lay.threads} {statistics.median(m[lay] for m in model_runs):.1f}"
                               for lay in layouts)
        tms = temporal_ms(clip, args.render_size)
        rows.append((f"{w}x{h}, {secs:g} s", shape, ceiling, mfps, per_layout, e2e, ratio, tms * mfps / 1000))
    print("\n| clip | render | decode+encode only fps | model-only fps (callers x threads: fps) | end-to-end fps |"
          " e2e / model | temporal cost / model time |")
    print("|---|---|---|---|---|---|---|")
    for name, shape, ceiling, mfps, per_layout, e2e, ratio, tshare in rows:
        print(f"| {name} | {shape[1]}x{shape[0]} | {ceiling:.1f} | {mfps:.1f} ({per_layout}) | {e2e:.1f} |"
              f" {ratio:.2f} | {tshare:.0%} |")

    if args.with_compile:
        compiled_speed(args, model, recipe, execution, work)

    if args.no_eccv:
        return
    shape = render_shape(360, 640, args.render_size)
    ours = raw_fps(model.net, shape, 4)
    eccv = raw_fps(ECCV16(), shape, 4, seconds=15)
    print(f"\nmodel vs ECCV16 at {shape[1]}x{shape[0]}, batch 4: effunet {ours:.1f} fps, "
          f"ECCV16 (random weights) {eccv:.2f} fps: {ours / eccv:.1f}x faster")


def compiled_speed(args: argparse.Namespace, model: Colorizer, recipe: Recipe, execution: Execution,
                   work: Path) -> None:
    """torch.compile: its one-time cost, then model-only and end-to-end frames/s at 640x360."""
    from dataclasses import replace

    clip = work / "clip640.mp4"
    shape = render_shape(360, 640, args.render_size)
    compiled = model.compiled_copy()
    t = time.perf_counter()
    compiled.predict_ab(torch.rand(execution.batch_size, 1, *shape) * 255)
    compile_s = time.perf_counter() - t
    mfps = model_fps(compiled, shape, execution.batch_size)
    e2e = end_to_end(clip, work / "out640c.mp4", compiled, recipe, replace(execution, compile=True))
    print(f"\n--compile at 640x360: first call {compile_s:.0f} s (compile), then model-only {mfps:.1f} fps, "
          f"end-to-end {e2e:.1f} fps")


def memory(args: argparse.Namespace, work: Path) -> None:
    """Peak RSS of whole runs on a 10-second and a long clip."""
    short = make_clip(work / "short.mp4", 640, 360, 10)
    long = make_clip(work / "long.mp4", 640, 360, args.long_minutes * 60)
    rss_default = peak_rss_mb(short, work / "d.mp4", args.render_size)
    rss_short = peak_rss_mb(short, work / "s.mp4", args.rss_render_size)
    rss_long = peak_rss_mb(long, work / "l.mp4", args.rss_render_size)
    print(f"\npeak RSS, 640x360: 10 s clip at render size {args.render_size}: {rss_default:.0f} MB; "
          f"at render size {args.rss_render_size}: 10 s clip {rss_short:.0f} MB, "
          f"{args.long_minutes:g} min clip {rss_long:.0f} MB (ratio {rss_long / rss_short:.2f})")


if __name__ == "__main__":
    main()
