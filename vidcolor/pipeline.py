"""``colorize_video``: decode -> colorize -> stabilize -> encode, overlapped in threads.

Frames are encoded into segments (see ``segments``) and joined with the
original audio at the end, so an interrupted run resumes where it stopped and
the final name only ever holds a complete file.
"""

from __future__ import annotations

import logging
import time
from contextlib import closing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import torch
from tqdm import tqdm

from .colorize import colorize_frames, colorize_in_workers, with_gray
from .cpu_threads import opencv_threads
from .decode import DecodeStats, decode
from .encode import EncodeSettings, output_suffix
from .errors import VidcolorError
from .frames import Frame
from .inference import InferenceConfig, compile_model, is_compiled, pick_device, prepare_model, worker_layout
from .manifest import run_key, up_to_date, write_sidecar
from .outputs import atomic_output, default_output
from .probe import MediaInfo, open_input, probe
from .remux import join_segments
from .segments import SegmentWriter, WorkDir
from .stages import in_thread, stage
from .temporal import TemporalConfig, stabilize
from .tracing import traced
from .zoo import load_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides what a run produces, plus how it is executed."""

    model: str | None = None  # zoo name (None: the default model)
    weights: str | None = None  # a weights file instead of the zoo's
    device: str = "auto"
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    temporal: TemporalConfig = field(default_factory=TemporalConfig)
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    segment_seconds: float = 60.0  # resume granularity
    resume_warmup_seconds: float = 2.0  # frames re-run (not re-encoded) to restore the temporal state
    pipelined: bool = True  # False: every stage in one thread (same output, for checking)
    queue_size: int = 8


@dataclass
class VideoResult:
    """What a run did."""

    input: Path
    output: Path
    frames: int
    packets_copied: int
    damaged_packets: int
    seconds: float
    segments_reused: int
    notes: list[str]
    skipped: bool = False  # an up-to-date output was already there


def resolve_model(settings: RunSettings, model: torch.nn.Module | None) -> torch.nn.Module:
    """The given model, or the one the settings name, on the chosen device."""
    device = pick_device(settings.device)
    if model is None:
        model = load_model(settings.model, settings.weights, device=device)
    model = prepare_model(model, device)
    if settings.inference.compile and not is_compiled(model):
        model = compile_model(model)
        model.batch_size = settings.inference.batch_size
    return model


def plan_output(info: MediaInfo, output: str | Path | None) -> Path:
    """The output path: as given, or ``<stem>.colorized.<ext>`` with a container that fits."""
    if output is not None:
        return Path(output)
    return default_output(info.path, output_suffix(info.path, copied_codecs(info.path)))


def copied_codecs(path: Path) -> list[str]:
    """Codec names of the streams that are copied to the output (audio, subtitles)."""
    with open_input(path) as c:
        return [s.codec_context.name for s in (*c.streams.audio, *c.streams.subtitles) if s.codec_context]


def from_index(items: Iterable[Frame], first: int) -> Iterator[Frame]:
    """Drop frames before ``first`` (already encoded by an earlier run) before any work is done."""
    for item in items:
        if item.index >= first:
            yield item


def encoder_settings(encode: EncodeSettings, net: torch.nn.Module) -> EncodeSettings:
    """One x264 thread when the model runs on the CPU: the cores are the model's, and x264's
    frame threads cost ~15% more CPU per frame; the encoder's own choice next to a GPU."""
    if encode.threads or next(net.parameters()).device.type != "cpu":
        return encode
    return replace(encode, threads=1)


def build_stages(input_path: Path, net: torch.nn.Module, settings: RunSettings, first: int,
                 stats: DecodeStats) -> Iterator[Frame]:
    """decode -> colorize -> stabilize: each in its own thread(s) when pipelined, else one after another here.

    However the run ends, every stage is closed, downstream first, so no thread
    outlives it (a failed stage's traceback would otherwise keep the others alive).
    """
    config = settings.inference
    device = next(net.parameters()).device
    layout = worker_layout(config, device)
    if config.jit and device.type == "cpu" and not is_compiled(net):
        net = traced(net, config.batch_size)
    chain: list[Iterator[Frame]] = [decode(input_path, stats=stats)]
    chain.append(from_index(chain[-1], first))
    chain.append(with_gray(chain[-1], config.render_size))
    if settings.pipelined:
        chain.append(in_thread(chain[-1], "decode", settings.queue_size))
        chain.append(colorize_in_workers(chain[-1], net, config, layout))
        chain.append(stabilize(chain[-1], settings.temporal))
        chain.append(in_thread(chain[-1], "temporal", settings.queue_size))
    else:
        chain.append(colorize_frames(chain[-1], net, config, threads=layout.threads))
        chain.append(stabilize(chain[-1], settings.temporal))
    try:
        yield from chain[-1]
    finally:
        for generator in reversed(chain):
            generator.close()


def colorize_video(input_path: str | Path, output: str | Path | None = None, *,
                   settings: RunSettings | None = None, model: torch.nn.Module | None = None,
                   overwrite: bool = False, progress: bool = True) -> VideoResult:
    """Colorize one video file; the result appears under its final name only when complete."""
    settings = settings or RunSettings()
    input_path = Path(input_path)
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("is a still image; use colorize_image", input_path)
    out = plan_output(info, output)
    net = resolve_model(settings, model)
    started = time.time()
    stats = DecodeStats()
    rate = info.rate or Fraction(25)
    segment_frames = max(1, round(settings.segment_seconds * rate))
    key = run_key(input_path, net, settings, segment_frames=segment_frames)
    if up_to_date(input_path, out, key, overwrite):
        return VideoResult(input_path, out, 0, 0, 0, 0.0, 0, [], skipped=True)
    work = WorkDir.for_output(out, key)
    reused = work.prepare()
    start = reused * segment_frames
    warm = round(settings.resume_warmup_seconds * rate) if start and settings.temporal.mode != "off" else 0
    if reused:
        log.info("%s: resuming at frame %d (%d finished segments kept)", input_path, start, reused)

    writer = SegmentWriter(work, encoder_settings(settings.encode, net), rate, segment_frames,
                           first_segment=reused)
    bar = tqdm(total=info.frames or None, initial=min(start, info.frames or start), unit="frame",
               desc=input_path.name, disable=not progress, dynamic_ncols=True, leave=False)
    try:
        # the stages are the parallelism; OpenCV's own pool would only busy-wait beside them
        with opencv_threads(1), closing(build_stages(input_path, net, settings, max(0, start - warm),
                                                     stats)) as frames:
            for frame in frames:
                if frame.index >= start:
                    with stage("encode"):
                        writer.write(frame)
                    bar.update(1)
        with stage("encode"):
            writer.finish_segment()
    except BaseException:
        writer.abort()
        if not work.segments():
            work.remove()  # nothing to resume from
        raise
    finally:
        bar.close()
    segments = work.segments()
    if not segments:
        work.remove()
        raise VidcolorError("video stream has no decodable frames", input_path)
    with atomic_output(out) as tmp:
        copied = join_segments(segments, input_path, tmp, rotation=stats.rotation)
    work.remove()
    write_sidecar(out, key, {"input": str(input_path), "frames": stats.frames})
    return VideoResult(input_path, out, stats.frames, copied, stats.damaged, time.time() - started, reused,
                       stats.notes)
