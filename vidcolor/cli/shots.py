"""``vidcolor shots``: a film's shots, and a gray frame of each to color in any image editor."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from ..errors import VidcolorError
from ..media.probe import probe
from ..pipeline.shots import export_keyframes, find_shots, iter_shot_rows


@click.command()
@click.argument("film", type=click.Path(path_type=Path))
@click.option("--export", "export_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one gray frame per shot (sharp, well exposed) as DIR/<frame index>.png.")
@click.option("--json", "as_json", is_flag=True, help="Print the shots as JSON.")
def shots(film: Path, export_dir: Path | None, as_json: bool) -> None:
    """List a film's shots (first and last frame, times) and pick a frame of each to color."""
    if probe(film).kind != "video":
        raise VidcolorError("shots are for videos", film)
    found, written = export_keyframes(film, export_dir) if export_dir else (find_shots(film), [])
    if as_json:
        click.echo(json.dumps([{k: v for k, v in dataclasses.asdict(s).items() if k != "score"} for s in found],
                              indent=1))
    else:
        for row in iter_shot_rows(found):
            click.echo(row)
    if written:
        click.echo(f"{len(written)} gray frame(s) written to {export_dir}", err=True)
