"""``colorize_video``: decode -> colorize -> stabilize -> write, overlapped in threads.

Frames are written by an output writer (H.264 segments joined with the
original audio at the end, by default), so an interrupted run resumes where it
stopped and the final name only ever holds a complete file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from ..errors import VidcolorError
from ..media.decode import DecodeStats, decode
from ..media.encode import EncodeSettings
from ..media.frames import Frame
from ..media.probe import probe
from ..models.colorizer import Colorizer, load_model
from ..runtime.progress import progress as progress_bar
from ..runtime.threads import opencv_threads
from .colorize import with_gray
from .planning import plan_output
from .records import run_key, up_to_date, write_sidecar
from .settings import Execution, Recipe
from .sources import make_source
from .stages import in_thread, stage
from .temporal import stabilize
from .writers import get_writer

log = logging.getLogger(__name__)


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
    notes: list[str] = field(default_factory=list)
    skipped: bool = False  # an up-to-date output was already there


def resolve_model(recipe: Recipe, execution: Execution, model: Colorizer | None = None) -> Colorizer:
    """The given model, or the one the recipe names, prepared as the execution asks."""
    if model is not None:
        return model.compiled_copy() if execution.compile else model
    return load_model(recipe.model, recipe.weights, device=execution.device, compile=execution.compile)


def from_index(items: Iterable[Frame], first: int) -> Iterator[Frame]:
    """Drop frames before ``first`` (already written by an earlier run) before any work is done."""
    for item in items:
        if item.index >= first:
            yield item


def encoder_settings(encode: EncodeSettings, execution: Execution, model: Colorizer) -> EncodeSettings:
    """One x264 thread when the model runs on the CPU: the cores are the model's, and x264's
    frame threads cost ~15% more CPU per frame; the encoder's own choice next to a GPU."""
    if execution.encoder_threads:
        return replace(encode, threads=execution.encoder_threads)
    return replace(encode, threads=1) if model.device.type == "cpu" else encode


def build_stages(input_path: Path, model: Colorizer, recipe: Recipe, execution: Execution, first: int,
                 stats: DecodeStats) -> Iterator[Frame]:
    """decode -> colorize -> stabilize: each in its own thread(s) when pipelined, else one after another here.

    However the run ends, every stage is closed, downstream first, so no thread
    outlives it (a failed stage's traceback would otherwise keep the others alive).
    """
    source = make_source("model", model, recipe, execution)
    chain: list[Iterator[Frame]] = [decode(input_path, stats=stats)]
    chain.append(from_index(chain[-1], first))
    chain.append(with_gray(chain[-1], recipe.inference.render_size))
    if execution.pipelined:
        chain.append(in_thread(chain[-1], "decode", execution.queue_size))
    chain.append(source.colorize(chain[-1]))
    chain.append(stabilize(chain[-1], recipe.temporal))
    if execution.pipelined:
        chain.append(in_thread(chain[-1], "temporal", execution.queue_size))
    try:
        yield from chain[-1]
    finally:
        for generator in reversed(chain):
            generator.close()


def colorize_video(input_path: str | Path, output: str | Path | None = None, *, recipe: Recipe | None = None,
                   execution: Execution | None = None, model: Colorizer | None = None,
                   output_format: str = "h264", overwrite: bool = False, progress: bool = True) -> VideoResult:
    """Colorize one video file; the result appears under its final name only when complete."""
    recipe, execution = recipe or Recipe(), execution or Execution()
    input_path = Path(input_path)
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("is a still image; use colorize_image", input_path)
    out = plan_output(input_path, "video", Path(output) if output is not None else None,
                      output_format=output_format)
    model = resolve_model(recipe, execution, model)
    started = time.time()
    stats = DecodeStats()
    rate = info.rate or Fraction(25)
    segment_frames = max(1, round(recipe.segment_seconds * rate))
    key = run_key(input_path, model, recipe.as_dict(), segment_frames=segment_frames, format=output_format)
    if up_to_date(input_path, out, key, overwrite, folder=output_format == "png"):
        return VideoResult(input_path, out, 0, 0, 0, 0.0, 0, skipped=True)
    writer = get_writer(output_format)(out, key, encoder_settings(recipe.encode, execution, model), rate,
                                       segment_frames)
    start = writer.resumed_frames
    warm = round(recipe.resume_warmup_seconds * rate) if start and recipe.temporal.method != "off" else 0
    if start:
        log.info("%s: resuming at frame %d (%d finished segments kept)", input_path, start, writer.reused_segments)
    bar = progress_bar(info.frames or None, input_path.name, "frame", enabled=progress,
                       initial=min(start, info.frames or start))
    try:
        # the stages are the parallelism; OpenCV's own pool would only busy-wait beside them
        with opencv_threads(1), closing(build_stages(input_path, model, recipe, execution,
                                                     max(0, start - warm), stats)) as frames:
            for frame in frames:
                if frame.index >= start:
                    with stage("encode"):
                        writer.write(frame)
                    bar.update(1)
        with stage("encode"):
            copied = writer.finish(input_path, stats.rotation)
    except BaseException:
        writer.abort()
        raise
    finally:
        bar.close()
    if copied < 0:
        raise VidcolorError("video stream has no decodable frames", input_path)
    write_sidecar(out, key, {"input": str(input_path), "frames": stats.frames})
    return VideoResult(input_path, out, stats.frames, copied, stats.damaged, time.time() - started,
                       writer.reused_segments, stats.notes)
