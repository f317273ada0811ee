"""``colorize_video``: decode -> colorize -> stabilize -> write, overlapped in threads.

Frames are written by an output writer (H.264 segments joined with the
original audio at the end, by default), so an interrupted run resumes where it
stopped and the final name only ever holds a complete file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import torch

from ..errors import VidcolorError
from ..media.containers import check_output_container
from ..media.decode import DecodeStats, decode
from ..media.encode import EncodeSettings, with_pictures
from ..media.frames import Frame
from ..media.probe import probe
from ..models.colorizer import Colorizer, load_model
from ..runtime.progress import progress as progress_bar
from ..runtime.threads import opencv_threads, thread_plan
from .colorize import with_gray
from .cuts import shot_ranges
from .fields import split_fields, weave_fields
from .guides import WHOLE_FILM, load_keyframes, load_references
from .keyframes import KeyframeColors, first_pass
from .planning import plan_output
from .records import run_key, up_to_date, write_sidecar
from .reference import ReferenceColors
from .settings import Execution, Recipe
from .sources import ColorSource, ModelColors
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


def encoder_settings(encode: EncodeSettings, execution: Execution, model: Colorizer, pixels: int) -> EncodeSettings:
    """x264's threads by where the time goes (runtime.threads.thread_plan): one beside a CPU model on small
    frames, where the cores are the model's; every core from 720p on, where the encoder is the larger share."""
    plan = thread_plan(torch.get_num_threads(), pixels, on_cpu=model.device.type == "cpu",
                       encoder_threads=execution.encoder_threads)
    return replace(encode, threads=plan.encoder_threads)


def with_guides(recipe: Recipe, input_path: Path, keyframes: str | Path | None,
                reference: str | Path | None) -> Recipe:
    """The recipe with the keyframes and reference photos given by path (checked now, against the film)."""
    if keyframes is None and reference is None:
        return recipe
    info = probe(input_path)
    if keyframes is not None:
        recipe = replace(recipe, keyframes=load_keyframes(Path(keyframes), info))
    if reference is not None:
        recipe = replace(recipe, reference=load_references(Path(reference), info))
    return recipe


def color_source(input_path: Path, model: Colorizer, recipe: Recipe, execution: Execution) -> ColorSource:
    """Keyframes carried through their shots when the recipe has them (a first pass over the film
    finds the cuts and carries each keyframe's color backward), or a reference photo's colors where
    frames match it, else the automatic model."""
    size = recipe.inference.render_size
    if recipe.keyframes:
        keys = {k.index: k for k in recipe.keyframes}
        return KeyframeColors(model, recipe, execution, first_pass(decode(input_path), keys, size))
    if recipe.reference:
        whole_film = all(r.index == WHOLE_FILM for r in recipe.reference)
        shots = None if whole_film else shot_ranges((f.index, f.gray) for f in with_gray(decode(input_path), size))
        return ReferenceColors(model, recipe, execution, shots)
    return ModelColors(model, recipe, execution)


def build_stages(input_path: Path, model: Colorizer, recipe: Recipe, execution: Execution, first: int,
                 stats: DecodeStats, pictures: bool = False) -> Iterator[Frame]:
    """decode -> colorize -> stabilize: each in its own thread(s) when pipelined, else one after another here.

    However the run ends, every stage is closed, downstream first, so no thread
    outlives it (a failed stage's traceback would otherwise keep the others alive).
    """
    source = color_source(input_path, model, recipe, execution)
    chain: list[Iterator[Frame]] = [decode(input_path, stats=stats, deinterlace=recipe.deinterlace)]
    chain.append(from_index(chain[-1], first))
    chain.append(split_fields(chain[-1]))  # interlaced: each field colorized as its own picture
    chain.append(with_gray(chain[-1], recipe.inference.render_size))
    if execution.pipelined:
        chain.append(in_thread(chain[-1], "decode", execution.queue_size))
    chain.append(source.colorize(chain[-1]))
    chain.append(stabilize(chain[-1], recipe.temporal))
    chain.append(weave_fields(chain[-1]))
    if pictures and execution.pipelined:
        chain.append(with_pictures(chain[-1]))  # the encoder's YUV made in the temporal thread, ahead of x264
    if execution.pipelined:
        chain.append(in_thread(chain[-1], "temporal", execution.queue_size))
    try:
        yield from chain[-1]
        stats.notes.extend(source.report())
    finally:
        for generator in reversed(chain):
            generator.close()


@dataclass(frozen=True)
class FilmPlan:
    """What a film's run is decided by before its first frame: where it goes, its key, its segments."""

    input: Path
    output: Path
    key: dict[str, object]  # the up-to-date and resume key (input, weights, recipe)
    rate: Fraction
    segment_frames: int
    frames: int  # the container's count or an estimate (0: unknown)
    output_format: str = "h264"
    pixels: int = 0  # of a frame: the thread plan's measure of the encoder's share


def plan_film(input_path: Path, output: Path | None, recipe: Recipe, model: Colorizer,
              output_format: str = "h264") -> FilmPlan:
    """Probe and plan a film; every check that can fail does so here, before any work."""
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("is a still image; use colorize_image", input_path)
    out = plan_output(input_path, "video", output, output_format=output_format)
    if output is not None and output_format == "h264":
        check_output_container(input_path, out)  # a container the user named: one line now, not after the work
    rate = info.rate or Fraction(25)
    segment_frames = max(1, round(recipe.segment_seconds * rate))
    key = run_key(input_path, model, recipe.as_dict(), segment_frames=segment_frames, format=output_format)
    return FilmPlan(input_path, out, key, rate, segment_frames, info.frames, output_format, info.width * info.height)


def write_frames(plan: FilmPlan, model: Colorizer, recipe: Recipe, execution: Execution,
                 write: Callable[[Frame], None], start: int = 0, end: int | None = None,
                 stats: DecodeStats | None = None) -> int:
    """Colorize frames ``start`` up to ``end`` (None: the end of the film) and hand each to ``write``, in order.

    A start past 0 re-runs the ``resume_warmup_seconds`` before it through the model (not the
    writer) so the temporal state is what an uninterrupted run would have had. Returns the count.
    """
    warm = round(recipe.resume_warmup_seconds * plan.rate) if start and recipe.temporal.method != "off" else 0
    written = 0
    # the stages are the parallelism; OpenCV's own pool would only busy-wait beside them
    with opencv_threads(1), closing(build_stages(plan.input, model, recipe, execution, max(0, start - warm),
                                                 stats if stats is not None else DecodeStats(),
                                                 pictures=plan.output_format == "h264")) as frames:
        for frame in frames:
            if end is not None and frame.index >= end:
                break
            if frame.index >= start:
                with stage("encode"):
                    write(frame)
                written += 1
    return written


def colorize_video(input_path: str | Path, output: str | Path | None = None, *, recipe: Recipe | None = None,
                   execution: Execution | None = None, model: Colorizer | None = None,
                   output_format: str = "h264", overwrite: bool = False, progress: bool = True,
                   keyframes: str | Path | None = None, reference: str | Path | None = None) -> VideoResult:
    """Colorize one video file; the result appears under its final name only when complete.

    ``keyframes``: a folder of colored frames named by frame index; ``reference``: a color photo, or a
    folder of them named by frame index (one per shot). Both are checked before any work.
    """
    recipe, execution = recipe or Recipe(), execution or Execution()
    input_path = Path(input_path)
    recipe = with_guides(recipe, input_path, keyframes, reference)
    model = resolve_model(recipe, execution, model)
    recipe = recipe.for_film(model.info.film_decoding)
    plan = plan_film(input_path, Path(output) if output is not None else None, recipe, model, output_format)
    started = time.time()
    if up_to_date(input_path, plan.output, plan.key, overwrite, folder=output_format == "png"):
        return VideoResult(input_path, plan.output, 0, 0, 0, 0.0, 0, skipped=True)
    settings = encoder_settings(recipe.encode, execution, model, plan.pixels)
    writer = get_writer(output_format)(plan.output, plan.key, settings, plan.rate, plan.segment_frames)
    start = writer.resumed_frames
    if start:
        log.info("%s: resuming at frame %d (%d finished segments kept)", input_path, start, writer.reused_segments)
    bar = progress_bar(plan.frames or None, input_path.name, "frame", enabled=progress,
                       initial=min(start, plan.frames or start))
    stats = DecodeStats()

    def write(frame: Frame) -> None:
        writer.write(frame)
        bar.update(1)

    try:
        write_frames(plan, model, recipe, execution, write, start, stats=stats)
        with stage("encode"):
            joined = writer.finish(input_path, stats.rotation)
    except BaseException:
        writer.abort()
        raise
    finally:
        bar.close()
    if joined is None:
        raise VidcolorError("video stream has no decodable frames", input_path)
    write_sidecar(plan.output, plan.key, {"input": str(input_path), "frames": stats.frames})
    return VideoResult(input_path, plan.output, stats.frames, joined.packets_copied, stats.damaged,
                       time.time() - started, writer.reused_segments, stats.notes + joined.notes)
