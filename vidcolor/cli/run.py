"""``vidcolor run``: files and whole folders, videos to H.264 with their sound, photos to PNG."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from ..batch.report import BatchReport
from ..batch.run import BatchOptions, run_batch
from ..errors import VidcolorError
from ..media.encode import EncodeSettings
from ..media.probe import probe
from ..pipeline.guides import load_keyframes, load_references
from ..pipeline.settings import Execution, GuideImage, Recipe
from ..pipeline.temporal import TemporalConfig
from ..pipeline.video import resolve_model
from ..pipeline.writers import WRITERS
from .options import ModelChoice, encode_options, execution_options, model_options, temporal_options
from .signals import install_sigterm


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(),
              help="Output file (one input), or folder (several inputs, folders, or a path ending in '/': "
                   "the structure is mirrored) [default: <stem>.colorized.<ext> beside each input].")
@click.option("--overwrite", is_flag=True, help="Redo outputs that are already there and up to date.")
@model_options
@temporal_options
@encode_options
@click.option("--segment-seconds", default=Recipe.segment_seconds, show_default=True,
              help="Encode in segments this long: an interrupted run resumes from the last one.")
@execution_options
@click.option("--keyframes", "keyframes_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A folder of colored frames named by frame index (120.png): their colors are carried "
                   "through their shots; the model colors the rest ('vidcolor shots --export' picks frames).")
@click.option("--reference", type=click.Path(path_type=Path),
              help="A color photo of similar content: its colors are taken where frames match it (semantic "
                   "features), the model colors the rest; for films and photos. Or a folder of them named by "
                   "frame index (120.jpg), each guiding the shot that holds its frame.")
@click.option("--deinterlace", is_flag=True,
              help="Interlaced film comes out progressive (bwdif, one frame per frame) instead of interlaced "
                   "with per-field color.")
@click.option("--format", "output_format", type=click.Choice(list(WRITERS)), default="h264", show_default=True,
              help="Videos as H.264 with the original sound, or as a lossless PNG sequence in a folder.")
@click.option("--jobs", default=1, show_default=True, help="Files processed in parallel (CPU only).")
@click.option("--timeout", type=float, metavar="SECONDS",
              help="Give up on a file that takes longer (it runs in a worker process that is killed).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON report (per file: input, output, status, error, frames, seconds, settings).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Run the work on a Ray cluster (auto, host:port, ray://...; no value: a Ray started here). "
                   "Needs pip install 'vidcolor[ray]'.")
@click.option("--ray-cpus-per-task", default=2.0, show_default=True, help="CPUs each Ray task asks for.")
@click.option("--ray-gpus-per-task", default=1.0, show_default=True,
              help="GPUs each Ray task asks for with --device cuda (fractions share one).")
@click.option("--quiet", is_flag=True, help="No progress display.")
def run(inputs: tuple[Path, ...], output: str | None, overwrite: bool, model_choice: ModelChoice,
        temporal: TemporalConfig, encode: EncodeSettings, segment_seconds: float, speed: Execution,
        keyframes_dir: Path | None, reference: Path | None, deinterlace: bool, output_format: str,
        jobs: int, timeout: float | None,
        report_path: Path | None, ray_address: str | None, ray_cpus_per_task: float, ray_gpus_per_task: float,
        quiet: bool) -> None:
    """Colorize videos (to H.264 with the original sound) and photos (to PNG), files or whole folders.

    Finished outputs are skipped on the next run; a film interrupted midway resumes from its last
    finished segment. Exit status: 0 all done or up to date, 1 some file failed, 130 interrupted.
    """
    install_sigterm()
    recipe = replace(model_choice.recipe(temporal, encode, segment_seconds),
                     deinterlace=deinterlace,
                     keyframes=guides_for(inputs, keyframes_dir, "keyframes") if keyframes_dir else (),
                     reference=guides_for(inputs, reference, "reference") if reference else ())
    execution = model_choice.execution(speed)
    if ray_address is not None:
        report = run_on_ray(list(inputs), output, recipe, execution, overwrite, not quiet, ray_address,
                            ray_cpus_per_task, ray_gpus_per_task)
    else:
        options = BatchOptions(overwrite=overwrite, jobs=jobs, timeout=timeout, progress=not quiet,
                               output_format=output_format, recipe=recipe, execution=execution)
        in_process = jobs <= 1 and not timeout
        model = resolve_model(recipe, execution) if in_process else None  # loaded (and compiled) once for all files
        report = run_batch(list(inputs), output, options, model=model)
    if report_path is not None:
        report.write(report_path)
    single = len(inputs) == 1 and not inputs[0].is_dir()
    for r in report.results:
        if r.status == "done":
            rate = f", {r.frames / r.seconds:.1f} frames/s" if r.frames and r.seconds and r.kind == "video" else ""
            click.echo(f"{r.input} -> {r.output} ({r.kind}{rate})")
            for w in r.warnings:
                click.echo(f"vidcolor: warning: {r.input}: {w}", err=True)
        elif r.status == "skipped":
            click.echo(f"{r.input} -> {r.output} (up to date, skipped; --overwrite redoes it)")
        elif single:
            raise VidcolorError(r.error or "failed", r.input)
    if not single:
        click.echo(report.summary(), err=report.count("failed") > 0)
    if report.interrupted:
        click.echo("vidcolor: interrupted; finished segments are kept and the next run resumes", err=True)
        sys.exit(130)
    if report.count("failed"):
        sys.exit(1)


def run_on_ray(inputs: list[Path], output: str | None, recipe: Recipe, execution: Execution, overwrite: bool,
               progress: bool, address: str, cpus: float, gpus: float) -> BatchReport:
    """The batch on a Ray cluster (the ray extra), with the same report as a local run."""
    try:
        from ..batch.ray_run import RayOptions, run_batch_ray
    except ImportError:
        raise VidcolorError("--ray needs Ray: pip install 'vidcolor[ray]'") from None
    options = RayOptions(address=None if address == "local" else address, cpus_per_task=cpus, gpus_per_task=gpus)
    return run_batch_ray(inputs, output, recipe, execution, overwrite, progress, options)


def guides_for(inputs: tuple[Path, ...], path: Path, option: str) -> tuple[GuideImage, ...]:
    """Keyframes or references, checked before any work: a folder named by frame index belongs to one film;
    a single reference photo may guide any number of films and photos."""
    if option == "reference" and not path.is_dir():
        return load_references(path, None)
    if len(inputs) != 1 or inputs[0].is_dir():
        raise VidcolorError(f"--{option} with a folder of frames colors one film: give exactly one input file")
    info = probe(inputs[0])
    if info.kind != "video":
        raise VidcolorError(f"--{option} with a folder of frames is for films", inputs[0])
    return load_keyframes(path, info) if option == "keyframes" else load_references(path, info)
