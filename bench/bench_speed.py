"""Speed and memory of vidcolor on this machine (a benchmark script, not a test).

Prints, for generated clips from 640x360 to 3840x2160: the decode+encode ceiling
(no model), model-only frames/s per backend at the default render size as a run
calls it, end-to-end frames/s with the default backend (the network on every other
frame), with torch, and with the network on every frame (``--predict-every 1``), their ratios, and
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
from vidcolor.media.encode import EncodeSettings
from vidcolor.models.backends import resolve_backend
from vidcolor.pipeline.colorize import WorkerLayout, frames_per_call, render_shape, worker_layout
from vidcolor.runtime.malloc import keep_freed_memory


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
    ap.add_argument("--long-minutes", type=float, default=2.0)
    ap.add_argument("--rss-sizes", default="640x360,3840x2160", help="Clip sizes of the peak-memory rows.")
    ap.add_argument("--render-size", type=int, default=InferenceConfig().render_size)
    ap.add_argument("--rounds", type=int, default=3, help="End-to-end runs per clip (medians are printed).")
    ap.add_argument("--preset", default=EncodeSettings.preset, help="x264 preset of the end-to-end runs.")
    ap.add_argument("--workers", type=int, default=Execution.workers,
                    help="Model workers of the end-to-end runs (0: vidcolor's default).")
    ap.add_argument("--no-jit", action="store_true", help="Run the plain model, not its prepared graphs.")
    ap.add_argument("--backend", default=Execution.backend, help="CPU graphs: auto, torch or onnxruntime.")
    ap.add_argument("--seconds", type=float, default=20.0,
                    help="Length of the 640x360 clip (1280x720: 0.6x, 1080p: 10 s at the default, 4K: 2.2 s ...).")
    ap.add_argument("--only", choices=["speed", "rss"], help="Run only one half of the benchmark.")
    ap.add_argument("--sizes", default="640x360,1280x720,1920x1080,3840x2160",
                    help="Clip sizes of the speed table (larger ones shorter: clip_seconds).")
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


def transcode_fps(clip: Path, out: Path, encode: EncodeSettings) -> float:
    """The ceiling: decode the clip and encode it again with x264 at the same preset and crf (its own threads,
    every core), no model and no chroma work."""
    t = time.perf_counter()
    n = 0
    with av.open(str(clip)) as src, av.open(str(out), "w") as dst:
        vin = src.streams.video[0]
        vin.thread_type = "AUTO"
        vs = dst.add_stream(encode.codec, rate=vin.guessed_rate or 25)
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        vs.options = {"preset": encode.preset, "crf": str(encode.crf)}
        for f in src.decode(vin):
            dst.mux(vs.encode(f))
            n += 1
        dst.mux(vs.encode(None))
    return n / (time.perf_counter() - t)


def clip_seconds(args: argparse.Namespace, w: int, h: int) -> float:
    """--seconds at 640x360; larger sizes shorter, so every row takes about as long (1080p: 10 s by default)."""
    return round(max(2.0, args.seconds * min(1.0, (640 * 360 / (w * h)) ** 0.5 * 1.5)), 1)


def speed(args: argparse.Namespace, model: Colorizer, recipe: Recipe, execution: Execution, work: Path) -> None:
    """Per clip size: the decode+encode ceiling, model-only per backend, end to end with the default backend
    and with torch, and the ratios the issue asks for; then the model against ECCV16."""
    from dataclasses import replace

    backends = [b for b in ("torch", "onnxruntime", "openvino") if b == "torch" or _installed(b)]
    default = resolve_backend("auto")
    rows = []
    for w, h in (tuple(map(int, s.split("x"))) for s in args.sizes.split(",")):
        secs = clip_seconds(args, w, h)
        clip = make_clip(work / f"clip{w}.mp4", w, h, secs)
        shape = render_shape(h, w, args.render_size)
        layout = worker_layout(execution, model)
        per_call = frames_per_call(execution, model)
        ceiling = statistics.median(transcode_fps(clip, work / "t.mp4", recipe.encode) for _ in range(2))
        per_backend = {b: model_fps(model, shape, per_call, 4, layout, graphs=True, backend=b)
                       for b in backends}
        every_frame = replace(recipe, temporal=replace(recipe.temporal, predict_every=1))
        runs = {default: (recipe, default), "torch": (recipe, "torch"), "every frame": (every_frame, default)}
        e2e: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):  # interleaved: this VM's speed drifts within minutes
            for name, (r, b) in runs.items():
                e2e[name].append(end_to_end(clip, work / f"out{w}.mp4", model, r, replace(execution, backend=b)))
        d, t, s = (statistics.median(e2e[name]) for name in runs)
        gain = statistics.median(a / b for a, b in zip(e2e[default], e2e["torch"]))
        rows.append((f"{w}x{h}, {secs:g} s", ceiling, per_backend, d, t, d / ceiling, gain, s, s / ceiling))
        print(f"{w}x{h}: ceiling {ceiling:.1f}, e2e " + ", ".join(f"{k} {v}" for k, v in e2e.items()), flush=True)
    print(f"\nmodel-only: {layout.workers} caller(s) x {layout.threads} thread(s), as a run calls it; "
          f"default backend: {default}")
    print("\n| clip | decode+encode only fps | model-only fps (" + " / ".join(backends) + ") | end-to-end fps "
          f"({default}) | end-to-end fps (torch) | end-to-end / decode+encode | {default} / torch end to end "
          "| end-to-end fps, --predict-every 1 | its / decode+encode |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, ceiling, per_backend, d, t, ratio, gain, s, s_ratio in rows:
        models = " / ".join(f"{per_backend[b]:.1f}" for b in backends)
        print(f"| {name} | {ceiling:.1f} | {models} | {d:.1f} | {t:.1f} | {ratio:.2f} | {gain:.2f}x | {s:.1f} "
              f"| {s_ratio:.2f} |")

    if args.with_compile:
        compiled_speed(args, model, recipe, execution, work)

    if args.no_eccv:
        return
    shape = render_shape(360, 640, args.render_size)
    ours = raw_fps(model.net, shape, 4)
    eccv = raw_fps(ECCV16(), shape, 4, seconds=15)
    print(f"\nmodel vs ECCV16 at {shape[1]}x{shape[0]}, batch 4: effunet {ours:.1f} fps, "
          f"ECCV16 (random weights) {eccv:.2f} fps: {ours / eccv:.1f}x faster")


def _installed(backend: str) -> bool:
    try:
        resolve_backend(backend)
    except Exception:
        return False
    return True


def compiled_speed(args: argparse.Namespace, model: Colorizer, recipe: Recipe, execution: Execution,
                   work: Path) -> None:
    """torch.compile: its one-time cost, then model-only and end-to-end frames/s at 640x360."""
    from dataclasses import replace

    clip = work / "clip640.mp4"
    shape = render_shape(360, 640, args.render_size)
    compiled = model.compiled_copy()
    t = time.perf_counter()
    per_call = frames_per_call(execution, compiled)
    compiled.predict_ab(torch.rand(per_call, 1, *shape) * 255)
    compile_s = time.perf_counter() - t
    mfps = model_fps(compiled, shape, per_call)
    e2e = end_to_end(clip, work / "out640c.mp4", compiled, recipe, replace(execution, compile=True))
    print(f"\n--compile at 640x360: first call {compile_s:.0f} s (compile), then model-only {mfps:.1f} fps, "
          f"end-to-end {e2e:.1f} fps")


def memory(args: argparse.Namespace, work: Path) -> None:
    """Peak RSS of whole runs (defaults) on a 10-second and a long clip, per size."""
    for w, h in (tuple(map(int, s.split("x"))) for s in args.rss_sizes.split(",")):
        short = make_clip(work / "short.mp4", w, h, 10)
        rss_short = peak_rss_mb(short, work / "s.mp4", args.render_size)
        short.unlink()
        long = make_clip(work / "long.mp4", w, h, args.long_minutes * 60)
        rss_long = peak_rss_mb(long, work / "l.mp4", args.render_size)
        long.unlink()
        print(f"peak RSS, {w}x{h}: 10 s clip {rss_short:.0f} MB, {args.long_minutes:g} min clip {rss_long:.0f} MB "
              f"(ratio {rss_long / rss_short:.2f})", flush=True)


if __name__ == "__main__":
    main()
