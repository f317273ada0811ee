"""Archives on a Ray cluster (``vidcolor run --ray [ADDRESS]``): files and parts of films as Ray tasks.

The driver (this process) plans every file exactly as a local run does (sidecars skip what is up to
date, the same recipe key, the same segment boundaries), checks that every node sees the inputs and
the output folder, and sends out work: a still is one task, a film is one task per range of its
resume segments, so several workers share one long film. Each range task re-runs the lead-in before
its first frame through the model (as a resumed local run does) for the temporal state, encodes its
segments into the film's work folder on the shared storage, and makes each final only when complete.
When all ranges of a film are done, the driver joins the segments with the untouched sound, as a
local run does. A task lost with its worker or node is sent again (``RETRIES`` times) and redoes
only the segments that are not finished; a driver killed midway leaves finished segments that the
rerun keeps. The model is loaded once per worker process and kept for its later tasks.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import ray
from ray.exceptions import RayError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from ..errors import VidcolorError
from ..media.probe import probe
from ..media.segments import SegmentWriter, WorkDir, segment_name
from ..models.colorizer import Colorizer
from ..pipeline.image import colorize_image_file
from ..pipeline.planning import plan_output
from ..pipeline.records import up_to_date, write_sidecar
from ..pipeline.settings import Execution, Recipe
from ..pipeline.video import FilmPlan, encoder_settings, plan_film, resolve_model, write_frames
from ..pipeline.writers import H264Segments
from ..runtime.progress import progress as progress_bar
from ..runtime.threads import set_cpu_threads
from .jobs import Job, discover
from .report import BatchReport, FileResult

log = logging.getLogger(__name__)
RETRIES = 3


@dataclass(frozen=True)
class RayOptions:
    """How work is laid on the cluster."""

    address: str | None = None  # as ray.init takes it; None: a Ray started on this machine
    cpus_per_task: float = 2.0
    gpus_per_task: float = 1.0  # with --device cuda (fractions share a GPU)
    segments_per_task: int = 1


@dataclass(frozen=True)
class RangeTask:
    """One range of a film's segments: ``first`` up to ``end`` (None: to the film's end)."""

    plan: FilmPlan
    recipe: Recipe
    execution: Execution
    first: int
    end: int | None


@dataclass(frozen=True)
class RangeDone:
    """What a range task did, and where."""

    frames: int
    decoded: int
    rotation: int
    node: str
    notes: list[str] = field(default_factory=list)


_models: dict[tuple[str | None, str | None, str], Colorizer] = {}


def node_name() -> str:
    """The node a task ran on: host name and Ray's node id (several nodes may share a host)."""
    return f"{socket.gethostname()}:{ray.get_runtime_context().get_node_id()[:8]}"


def worker_model(recipe: Recipe, execution: Execution) -> Colorizer:
    """The model of this worker process, loaded once for all its tasks."""
    key = (recipe.model, recipe.weights, execution.device)
    if key not in _models:
        _models[key] = resolve_model(recipe, execution)
    return _models[key]


def _use_assigned_cpus() -> None:
    """Torch and OpenCV threads as many as Ray gave this task."""
    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
    set_cpu_threads(max(1, int(cpus)) if cpus else None)


def first_missing(work: WorkDir, first: int, end: int | None) -> int:
    """The first segment of the range not finished yet (a retried task redoes only what is missing)."""
    k = first
    while (end is None or k < end) and (work.path / segment_name(k)).exists():
        k += 1
    return k


@ray.remote(max_retries=0)
def colorize_range(task: RangeTask) -> RangeDone:
    """Worker: encode the range's segments into the film's work folder."""
    _use_assigned_cpus()
    model = worker_model(task.recipe, task.execution)
    plan = task.plan
    work = WorkDir(WorkDir.for_output(plan.output, plan.key).path, plan.key)
    k = first_missing(work, task.first, task.end)
    if task.end is not None and k >= task.end:
        return RangeDone(0, 0, 0, node_name())
    from ..media.decode import DecodeStats

    stats = DecodeStats()
    writer = SegmentWriter(work, encoder_settings(task.recipe.encode, task.execution, model, plan.pixels),
                           plan.rate,
                           plan.segment_frames, first_segment=k)
    try:
        n = write_frames(plan, model, task.recipe, task.execution, writer.write, k * plan.segment_frames,
                         None if task.end is None else task.end * plan.segment_frames, stats)
        writer.finish_segment()
    except BaseException:
        writer.abort()
        raise
    return RangeDone(n, stats.frames, stats.rotation, node_name(), list(stats.notes))


@ray.remote(max_retries=0)
def colorize_still(job: Job, recipe: Recipe, execution: Execution, overwrite: bool) -> tuple[bool, str]:
    """Worker: one photo to PNG; (skipped, node)."""
    _use_assigned_cpus()
    out = plan_output(job.input, "image", job.output_file, job.output_dir, job.relative)
    skipped = colorize_image_file(job.input, out, worker_model(recipe, execution), recipe.inference, overwrite,
                                  recipe.reference)
    return skipped, node_name()


@ray.remote(max_retries=0, num_cpus=0)
def storage_problem(readable: list[str], writable: list[str]) -> tuple[str, str | None]:
    """Runs on one node: the first path it cannot see (or write), with the node's name."""
    node = f"{node_name()} ({ray.util.get_node_ip_address()})"
    for path in readable:
        if not os.path.exists(path):
            return node, f"cannot see {path}"
    for path in writable:
        folder = Path(path)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            return node, f"cannot write to {path}"
    return node, None


def check_storage(readable: list[Path], writable: list[Path]) -> None:
    """Every node must see the inputs and the output folders (a shared mount): one line naming the node if not."""
    refs = [storage_problem.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
            .remote([str(p) for p in readable], [str(p) for p in writable])
            for n in ray.nodes() if n["Alive"]]
    for node, problem in ray.get(refs):
        if problem:
            raise VidcolorError(f"node {node} {problem}: inputs and outputs must be on storage every node sees")


@dataclass
class Film:
    """A film on its way: its plan, its range tasks, and what they did."""

    job: Job
    plan: FilmPlan
    result: FileResult
    pending: int = 0
    done: list[RangeDone] = field(default_factory=list)
    started: float = field(default_factory=time.time)


def range_tasks(plan: FilmPlan, reused: int, recipe: Recipe, execution: Execution, per_task: int) -> list[RangeTask]:
    """The film's unfinished segments in ranges of ``per_task``; the last range runs to the film's end."""
    estimate = max(1, math.ceil(plan.frames / plan.segment_frames)) if plan.frames else reused + 1
    starts = list(range(reused, max(estimate, reused + 1), per_task))
    return [RangeTask(plan, recipe, execution, k, starts[i + 1] if i + 1 < len(starts) else None)
            for i, k in enumerate(starts)]


class Scheduler:
    """Submits tasks, resubmits those lost with a worker or a node, and hands results back in."""

    def __init__(self, resources: dict[str, float]) -> None:
        self.resources = resources
        self.pending: dict[ray.ObjectRef, tuple[object, tuple, int]] = {}

    def submit(self, owner: object, remote: ray.remote_function.RemoteFunction, args: tuple, attempt: int = 0) -> None:
        ref = remote.options(**self.resources).remote(*args)
        self.pending[ref] = (owner, (remote, args), attempt)

    def results(self):
        """Yield (owner, value or exception, attempts) as tasks finish; lost tasks are sent again first."""
        while self.pending:
            ready, _ = ray.wait(list(self.pending), num_returns=1)
            ref = ready[0]
            owner, (remote, args), attempt = self.pending.pop(ref)
            try:
                value = ray.get(ref)
            except RayTaskError as exc:  # our code raised: the file's own problem, not the cluster's
                yield owner, exc.as_instanceof_cause(), attempt
                continue
            except RayError as exc:  # a worker or node lost: the same work again, elsewhere
                if attempt < RETRIES:
                    log.warning("task lost (%s); sending it again", type(exc).__name__)
                    self.submit(owner, remote, args, attempt + 1)
                    continue
                yield owner, exc, attempt
                continue
            yield owner, value, attempt


def one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if isinstance(exc, VidcolorError) else f"{type(exc).__name__}: {text}"


def run_batch_ray(inputs: list[Path], output: str | Path | None, recipe: Recipe, execution: Execution,
                  overwrite: bool, progress: bool, ray_options: RayOptions) -> BatchReport:
    """The batch run, with the work on a Ray cluster: the same outputs, skips, report and exit codes."""
    report = BatchReport([], time.strftime("%Y-%m-%dT%H:%M:%S"))
    planned, failures = discover(inputs, output)
    report.results.extend(failures)
    if not planned:
        report.close([])
        return report
    if not ray.is_initialized():
        ray.init(address=ray_options.address, logging_level=logging.WARNING, log_to_driver=False)
    outputs = {j.output_dir or (j.output_file.parent if j.output_file else j.input.parent) for j in planned}
    check_storage([j.input for j in planned], sorted(outputs))
    resources = {"num_cpus": ray_options.cpus_per_task}
    if execution.device.startswith("cuda"):
        resources["num_gpus"] = ray_options.gpus_per_task
    model = resolve_model(recipe, replace(execution, device="cpu"))  # the driver only needs the weights' digest
    scheduler = Scheduler(resources)
    films: dict[Path, Film] = {}
    bar = progress_bar(len(planned), "files", "file", enabled=progress)
    frames_done, started = 0, time.time()
    try:
        for job in planned:
            plan_job(job, recipe, execution, model, overwrite, ray_options, scheduler, films, report, bar)
        for owner, value, attempt in scheduler.results():
            result = owner.result if isinstance(owner, Film) else owner
            result.retries += attempt
            if isinstance(value, BaseException):
                if result.status != "failed" or result.error is None:
                    bar.update(1)
                result.status, result.error = "failed", one_line(value)
                if isinstance(owner, Film):
                    owner.pending = -1  # no join: what finished stays for a rerun
                continue
            if isinstance(owner, Film):
                if owner.pending < 0:
                    continue
                owner.done.append(value)
                owner.pending -= 1
                frames_done += value.frames
                rate = frames_done / max(time.time() - started, 1e-9)
                bar.set_postfix_str(f"{frames_done} frames, {rate:.1f} frames/s")
                if owner.pending == 0:
                    finish_film(owner, recipe, execution, model)
                    bar.update(1)
            else:
                skipped, node = value
                result.status, result.frames, result.nodes = ("skipped" if skipped else "done"), \
                    None if skipped else 1, [node]
                bar.update(1)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        bar.close()
    for film in films.values():
        if film.result.status == "failed" and film.result.error is None:
            film.result.error = "interrupted"
    report.close([j.input for j in planned])
    return report


def plan_job(job: Job, recipe: Recipe, execution: Execution, model: Colorizer, overwrite: bool,
             ray_options: RayOptions, scheduler: Scheduler, films: dict[Path, Film], report: BatchReport,
             bar) -> None:
    """Plan one input on the driver and send its tasks out (a bad file is its one-line result)."""
    result = FileResult(str(job.input), None, "failed", settings=recipe.as_dict(), tasks=0)
    report.results.append(result)
    try:
        info = probe(job.input)
        result.kind = info.kind
        if info.kind == "image":
            result.tasks = 1
            result.output = str(plan_output(job.input, "image", job.output_file, job.output_dir, job.relative))
            scheduler.submit(result, colorize_still, (job, recipe, execution, overwrite))
            return
        out = plan_output(job.input, "video", job.output_file, job.output_dir, job.relative)
        recipe = recipe.for_film(model.info.film_decoding)
        result.settings = recipe.as_dict()  # what the film is made with
        plan = plan_film(job.input, out, recipe, model)
        result.output = str(plan.output)
        if up_to_date(job.input, plan.output, plan.key, overwrite):
            result.status = "skipped"
            bar.update(1)
            return
        reused = WorkDir.for_output(plan.output, plan.key).prepare()
        tasks = range_tasks(plan, reused, recipe, execution, ray_options.segments_per_task)
        film = Film(job, plan, result, pending=len(tasks))
        result.segments_reused, result.tasks = reused, len(tasks)
        films[job.input] = film
        for task in tasks:
            scheduler.submit(film, colorize_range, (task,))
    except VidcolorError as exc:
        result.error = str(exc).removeprefix(f"{job.input}: ")
        bar.update(1)


def finish_film(film: Film, recipe: Recipe, execution: Execution, model: Colorizer) -> None:
    """All ranges done: join the segments with the sound under the final name, as a local run does."""
    result, plan = film.result, film.plan
    try:
        settings = encoder_settings(recipe.encode, execution, model, plan.pixels)
        writer = H264Segments(plan.output, plan.key, settings, plan.rate, plan.segment_frames)
        rotation = next((d.rotation for d in film.done if d.decoded), 0)
        joined = writer.finish(plan.input, rotation)
        if joined is None:
            raise VidcolorError("video stream has no decodable frames", plan.input)
        # the last range decodes the film to its end (every range decodes from its start): its count is the
        # film's, whatever earlier runs or lost attempts had already written
        frames = max((d.decoded for d in film.done), default=0)
        write_sidecar(plan.output, plan.key, {"input": str(plan.input), "frames": frames})
        result.status, result.frames = "done", frames
        result.nodes = sorted({d.node for d in film.done})
        result.warnings = sorted({n for d in film.done for n in d.notes} | set(joined.notes))
    except VidcolorError as exc:
        result.status, result.error = "failed", str(exc).removeprefix(f"{plan.input}: ")
    result.seconds = round(time.time() - film.started, 3)
