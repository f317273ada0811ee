"""``vidcolor eval``: measure against color ground truth, photos and videos, clean or film-like."""

from __future__ import annotations

from pathlib import Path

import click

from ..eval.photos import evaluate_photos, format_table, select_photos
from ..eval.tables import format_video_table, summarize_videos
from ..eval.videos import evaluate_video, list_videos
from ..media.degrade import DEGRADATIONS
from ..models.archs.base import Decoding
from ..models.catalog import HIDDEN, describe_decoding, record_eval
from ..models.colorizer import FILM_SETTINGS, Colorizer
from ..pipeline.temporal import TemporalConfig
from ..pipeline.video import resolve_model
from ..training.split import validation_names
from .options import ModelChoice, model_options, temporal_options


def shown_decoding(model: Colorizer, decoding: Decoding) -> dict[str, float | None]:
    """The decoding a run uses, every setting resolved (the temperature None for regression heads)."""
    shown: dict[str, float | None] = {name: model.net.setting(decoding, name) for name in FILM_SETTINGS
                                      if name not in HIDDEN}
    if model.default_temperature is None:
        shown["temperature"] = None
    return shown


@click.command(name="eval")
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@model_options
@temporal_options
@click.option("--degrade", type=click.Choice(list(DEGRADATIONS)),
              help="Give the gray inputs a film-like look first (grain, blur, tone, dust, flicker; seeded by "
                   "each file's name, so every run sees the same pictures). Videos: one look per clip, its "
                   "grain, dust and flicker changing frame by frame, as on a reel.")
@click.option("--split", type=click.Choice(["validation"]),
              help="Only the photos of the training data's validation split (for choosing settings).")
@click.option("--keyframes", "keyframes_mode", type=click.Choice(["shots"]),
              help="Videos: also run with keyframes at the frames 'vidcolor shots' picks, given their true "
                   "colors, against the automatic model and the gray input.")
@click.option("--reference", "reference_mode", type=click.Choice(["last"]),
              help="Videos: also run with a reference photo, the true frame near the end of each clip.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the colorized photos here.")
@click.option("--limit", type=int, help="Only the first N photos of each folder.")
@click.option("--record", is_flag=True, help="Keep the photo scores beside your weights (shown by 'models').")
@click.option("--quiet", is_flag=True, help="No progress display.")
def eval_cmd(targets: tuple[Path, ...], model_choice: ModelChoice, temporal: TemporalConfig, degrade: str | None,
             split: str | None, keyframes_mode: str | None,
             reference_mode: str | None, save_dir: Path | None,
             limit: int | None, record: bool, quiet: bool) -> None:
    """Measure on color ground truth: photo folders (PSNR, SSIM, colorfulness and the chroma
    measures, against the gray baseline) and videos (warping error, CDC, PSNR, colorfulness and
    the chroma measures for the original, for --temporal off and for the temporal stage)."""
    recipe = model_choice.recipe(temporal)
    model = resolve_model(recipe, model_choice.execution())
    render_size = recipe.inference.render_size
    shown = shown_decoding(model, recipe.inference.decoding)
    click.echo(f"weights {model.info.weights_path}, render size {render_size}, {describe_decoding(shown)}"
               + (f", inputs degraded: {degrade}" if degrade else ""))
    names = validation_names() if split == "validation" else None
    videos: list[Path] = []
    for target in targets:
        photos = select_photos(target, names, limit) if target.is_dir() else []
        if photos:
            scores, ref = evaluate_photos(photos, model, recipe.inference, degrade,
                                          save_dir / target.name if save_dir else None, not quiet, target.name)
            click.echo(format_table(str(target) + (" [validation split]" if names else ""), scores, ref,
                                    len(photos)))
            if record:
                model_row, gray_row = scores
                set_name = target.name + (f"+{degrade}" if degrade else "") + ("@validation" if names else "")
                path = record_eval(model, set_name, {
                    "psnr": model_row.psnr, "ssim": model_row.ssim, "cf_ratio": model_row.cf_ratio,
                    "gray_psnr": gray_row.psnr, "gray_ssim": gray_row.ssim, "photos": len(photos),
                    "render_size": render_size, **shown,
                    **model_row.chroma.as_dict()})
                click.echo(f"recorded in {path}")
            continue
        videos += list_videos(target)
    if videos:
        film = shown_decoding(model, recipe.inference.for_film(model.info.film_decoding).decoding)
        if film != shown:
            click.echo(f"videos decoded as films: {describe_decoding(film)}")
    if videos and (keyframes_mode or reference_mode):
        if degrade:
            raise click.UsageError("--degrade is measured on the automatic colors only, not with --keyframes "
                                   "or --reference")
        import tempfile

        from ..eval.directed import evaluate_directed, format_directed

        with tempfile.TemporaryDirectory() as tmp:
            rows = {p.name: evaluate_directed(p, model, recipe, model_choice.execution(), Path(tmp) / p.stem,
                                              keyframes=bool(keyframes_mode), reference=bool(reference_mode))
                    for p in videos}
        click.echo(format_directed(rows))
        return
    if videos:
        configs = {f"temporal {recipe.temporal.method}": recipe.temporal} if recipe.temporal.method != "off" else {}
        rows = {path.name: evaluate_video(path, model, recipe.inference, configs, progress=not quiet,
                                          degrade=degrade) for path in videos}
        click.echo(format_video_table(rows))
        if configs:
            click.echo(summarize_videos(rows))
