"""``vidcolor preview``: gray beside colorized at chosen times, in seconds, before a long run."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import VidcolorError
from ..media.files import check_output
from ..media.images import write_png
from ..media.probe import probe
from ..pipeline.preview import parse_time, preview
from ..pipeline.temporal import TemporalConfig
from ..pipeline.video import resolve_model, with_guides
from .options import ModelChoice, model_options, temporal_options


@click.command(name="preview")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.option("--at", "times", multiple=True, required=True, help="Time: seconds, MM:SS or HH:MM:SS (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG to write [default: <stem>.preview.png beside the input].")
@click.option("--overwrite", is_flag=True, help="Replace an existing preview.")
@model_options
@temporal_options
@click.option("--keyframes", "keyframes_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Colored frames named by frame index, as for 'vidcolor run': see a keyframe's reach.")
@click.option("--reference", type=click.Path(path_type=Path),
              help="A color photo (or a folder of them named by frame index), as for 'vidcolor run'.")
def preview_cmd(input_path: Path, times: tuple[str, ...], output: Path | None, overwrite: bool,
                model_choice: ModelChoice, temporal: TemporalConfig, keyframes_dir: Path | None,
                reference: Path | None) -> None:
    """Gray beside colorized at chosen times: check settings, keyframes and references in seconds before a
    long run."""
    seconds = [parse_time(t) for t in times]
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("preview is for videos; use 'vidcolor run' on a photo", input_path)
    out = output or input_path.with_name(f"{input_path.stem}.preview.png")
    check_output(input_path, out, overwrite)
    recipe = with_guides(model_choice.recipe(temporal), input_path, keyframes_dir, reference)
    model = resolve_model(recipe, model_choice.execution())
    write_png(out, preview(input_path, seconds, model, recipe))
    click.echo(str(out))
