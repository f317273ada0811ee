"""The ``vidcolor`` command: a thin layer over the Python API."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__, zoo
from .encode import EncodeSettings
from .errors import VidcolorError
from .malloc_tuning import keep_freed_memory


class Group(click.Group):
    """Turns expected failures into one line and exit status 1 (traceback with --debug)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except VidcolorError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"vidcolor: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("vidcolor: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - one line for users, traceback with --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            msg = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"vidcolor: error: {type(exc).__name__}: {msg} (run with --debug for details)", err=True)
            sys.exit(1)


@click.group(cls=Group)
@click.version_option(__version__, prog_name="vidcolor")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("--threads", type=int, help="CPU threads for the model and OpenCV [default: all cores].")
@click.pass_context
def main(ctx: click.Context, debug: bool, threads: int | None) -> None:
    """Colorize black-and-white video and photos."""
    ctx.obj = {"debug": debug}
    keep_freed_memory()  # the CLI is the application: process-wide malloc settings are its call
    if threads:
        import cv2
        import torch

        torch.set_num_threads(threads)
        cv2.setNumThreads(threads)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="vidcolor: %(levelname)s: %(message)s")


def parse_weights(pairs: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            raise click.BadParameter(f"'{pair}' is not NAME=NUMBER", param_hint="--group-weight") from None
    return out


@main.command()
@click.argument("data_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--arch", default=zoo.DEFAULT_MODEL, show_default=True, help="Architecture from the zoo.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file to write, exported as it trains [default: the zoo's file in weights/].")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for full checkpoints [default: CACHE_DIR/runs/NAME].")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path.home() / ".cache" / "vidcolor", show_default=True,
              help="Where decoded training photos are kept (outside the project).")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Progress log [default: OUT with .log].")
@click.option("--resume", is_flag=True, help="Continue the run (or from the weights file alone).")
@click.option("--steps", default=8000, show_default=True, help="Length of the learning-rate schedule.")
@click.option("--until", type=int, help="Stop at this step (default: --steps).")
@click.option("--minutes", type=float, help="Stop (saving) after this much training time.")
@click.option("--warmup", type=int, help="Warm-up steps of the learning rate [default: 300].")
@click.option("--batch-size", default=16, show_default=True)
@click.option("--lr", type=float, help="Peak learning rate [default: the model's, else 1e-3].")
@click.option("--crop", default=160, show_default=True, help="Training crop size.")
@click.option("--rebalance", type=float, help="Class rebalancing λ, 1 = off [default: the model's, else 0.5].")
@click.option("--l1-weight", type=float, help="Weight of L1 on the decoded ab for classifiers [default: 0.02].")
@click.option("--loss", "reg_loss", type=click.Choice(["huber", "l1", "mse"]),
              help="Loss of regression models [default: the model's paper's].")
@click.option("--set", "model_set", multiple=True, help="Architecture setting KEY=VALUE (e.g. head=reg).")
@click.option("--group-weight", multiple=True, help="Sampling weight of a data sub-folder, NAME=W.")
@click.option("--degrade", default=0.0, show_default=True,
              help="Share of training inputs given a film-like look (grain, blur, tone, dust; targets clean).")
@click.option("--init", "init_weights", type=click.Path(dir_okay=False, path_type=Path),
              help="Start a new run from this weights file's tensors where they fit.")
@click.option("--validation", "validation_list", type=click.Path(dir_okay=False, path_type=Path),
              help="List of held-out photos (relative paths) [default: the committed validation split].")
@click.option("--threads", type=int, help="Torch CPU threads.")
def train(data_dirs: tuple[Path, ...], arch: str, out: Path | None, run_dir: Path | None, cache_dir: Path,
          log_file: Path | None, resume: bool, steps: int, until: int | None, minutes: float | None,
          warmup: int | None, batch_size: int,
          lr: float | None, crop: int, rebalance: float | None, l1_weight: float | None, reg_loss: str | None,
          model_set: tuple[str, ...], group_weight: tuple[str, ...], degrade: float, init_weights: Path | None,
          validation_list: Path | None, threads: int | None) -> None:
    """Train a colorizer of the zoo on folders of color photos."""
    import torch

    from .training.data import CropConfig
    from .training.loop import train as run_training, train_config
    from .training.split import validation_names

    if threads:
        torch.set_num_threads(threads)
    model = {}
    for pair in model_set:
        key, _, value = pair.partition("=")
        model[key] = (float(value) if value.replace(".", "", 1).isdigit() else
                      value == "true" if value in ("true", "false") else value)
    zoo.make_config(arch, model)  # unknown settings fail here, before any data is read
    config = train_config(arch, model=model, batch_size=batch_size, steps=steps, lr=lr, rebalance=rebalance,
                          l1_weight=l1_weight, reg_loss=reg_loss, warmup=warmup,
                          crop=CropConfig(size=crop, group_weights=parse_weights(group_weight), degrade=degrade))
    out = out or zoo.weights_dir() / zoo.entry(arch).weights
    run_training(list(data_dirs), config, out=out, run_dir=run_dir or cache_dir / "runs" / out.stem,
                 cache_dir=cache_dir, resume=resume, log_file=log_file or out.with_suffix(".log"), until=until,
                 minutes=minutes, init=init_weights,
                 validation=validation_names(validation_list) if validation_list else None)


def model_options(f):
    """Options shared by every command that runs a model."""
    opts = [
        click.option("--model", "model_name", help=f"Model from the zoo [default: {zoo.DEFAULT_MODEL}]."),
        click.option("--weights", type=click.Path(dir_okay=False, path_type=Path), help="A weights file instead."),
        click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda[:N]."),
        click.option("--render-size", default=160, show_default=True,
                     help="Short side (px) the network sees; chroma is upsampled onto full-size luma."),
        click.option("--batch-size", default=4, show_default=True, help="Frames per network call."),
        click.option("--temperature", type=float, help="Annealed-mean T (lower = more vivid) [default: model's]."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def load_for_cli(model_name: str | None, weights: Path | None, device: str):
    from .pipeline import RunSettings, resolve_model

    return resolve_model(RunSettings(model=model_name, weights=str(weights) if weights else None, device=device), None)


def install_sigterm() -> None:
    """SIGTERM behaves like Ctrl-C, so partial outputs are cleaned up."""
    import signal

    def handler(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (one input), or folder (several inputs or folders: the structure is mirrored) "
                   "[default: <stem>.colorized.<ext> beside each input].")
@click.option("--overwrite", is_flag=True, help="Redo outputs that are already there and up to date.")
@model_options
@click.option("--temporal", type=click.Choice(["flow", "off"]), default="flow", show_default=True,
              help="Stabilize color over time.")
@click.option("--strength", default=0.85, show_default=True, help="Temporal smoothing strength 0..1.")
@click.option("--crf", default=EncodeSettings.crf, show_default=True, help="x264 quality (lower = better, bigger).")
@click.option("--preset", default=EncodeSettings.preset, show_default=True,
              help="x264 speed preset (medium or slow: smaller files, slower).")
@click.option("--segment-seconds", default=60.0, show_default=True,
              help="Encode in segments this long: an interrupted run resumes from the last one.")
@click.option("--jobs", default=1, show_default=True, help="Files processed in parallel (CPU only).")
@click.option("--model-workers", default=0, show_default=True,
              help="Threads running the model side by side on alternating batches, sharing the CPU threads "
                   "(0: one per CPU thread, at most 4; always 1 on CUDA).")
@click.option("--timeout", type=float, metavar="SECONDS",
              help="Give up on a file that takes longer (it runs in a worker process that is killed).")
@click.option("--compile", "compile_model", is_flag=True,
              help="torch.compile the model: faster per frame after about a minute of compiling; for films.")
@click.option("--jit/--no-jit", default=True, show_default=True,
              help="On the CPU, run the network as frozen TorchScript graphs (faster; traced once per shape).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON report (per file: input, output, status, error, frames, seconds, settings).")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def run(inputs: tuple[Path, ...], output: Path | None, overwrite: bool, model_name: str | None,
        weights: Path | None, device: str, render_size: int, batch_size: int, temperature: float | None,
        temporal: str, strength: float, crf: int, preset: str, segment_seconds: float, jobs: int,
        model_workers: int, timeout: float | None, compile_model: bool, jit: bool, report_path: Path | None,
        quiet: bool) -> None:
    """Colorize videos (to H.264 with the original sound) and photos (to PNG), files or whole folders.

    Finished outputs are skipped on the next run; a film interrupted midway resumes from its last
    finished segment. Exit status: 0 all done or up to date, 1 some file failed, 130 interrupted.
    """
    from .batch import run_batch
    from .inference import InferenceConfig
    from .pipeline import RunSettings, resolve_model
    from .temporal import TemporalConfig

    install_sigterm()
    settings = RunSettings(model=model_name, weights=str(weights) if weights else None, device=device,
                           inference=InferenceConfig(render_size=render_size, batch_size=batch_size,
                                                     temperature=temperature, compile=compile_model,
                                                     workers=model_workers, jit=jit),
                           temporal=TemporalConfig(mode=temporal, strength=strength),
                           encode=EncodeSettings(crf=crf, preset=preset), segment_seconds=segment_seconds)
    in_process = jobs <= 1 and not timeout
    model = resolve_model(settings, None) if in_process else None  # loaded (and compiled) once for all files
    report = run_batch(list(inputs), output, settings, model=model, overwrite=overwrite, jobs=jobs,
                       progress=not quiet, timeout=timeout)
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


@main.command(name="preview")
@click.argument("input_path", type=click.Path(path_type=Path))
@click.option("--at", "times", multiple=True, required=True, help="Time: seconds, MM:SS or HH:MM:SS (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PNG to write [default: <stem>.preview.png beside the input].")
@click.option("--overwrite", is_flag=True, help="Replace an existing preview.")
@model_options
@click.option("--temporal", type=click.Choice(["flow", "off"]), default="flow", show_default=True,
              help="Stabilize color over time (as the run would).")
@click.option("--strength", default=0.85, show_default=True, help="Temporal smoothing strength 0..1.")
def preview_cmd(input_path: Path, times: tuple[str, ...], output: Path | None, overwrite: bool,
                model_name: str | None, weights: Path | None, device: str, render_size: int,
                batch_size: int, temperature: float | None, temporal: str, strength: float) -> None:
    """Gray beside colorized at chosen times: check settings in seconds before a long run."""
    from .image import write_png
    from .inference import InferenceConfig
    from .outputs import check_output
    from .preview import parse_time, preview
    from .probe import probe

    seconds = [parse_time(t) for t in times]
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("preview is for videos; use 'vidcolor run' on a photo", input_path)
    out = output or input_path.with_name(f"{input_path.stem}.preview.png")
    check_output(input_path, out, overwrite)
    net = load_for_cli(model_name, weights, device)
    from .temporal import TemporalConfig

    picture = preview(input_path, seconds, net,
                      InferenceConfig(render_size=render_size, batch_size=batch_size, temperature=temperature),
                      TemporalConfig(mode=temporal, strength=strength))
    write_png(out, picture)
    click.echo(str(out))


@main.command(name="eval")
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@model_options
@click.option("--temporal", type=click.Choice(["flow", "off"]), default="flow", show_default=True,
              help="Temporal mode compared with 'off' on videos.")
@click.option("--strength", default=0.85, show_default=True, help="Temporal smoothing strength 0..1.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the colorized photos here.")
@click.option("--limit", type=int, help="Only the first N photos of each folder.")
@click.option("--record", is_flag=True, help="Keep the photo scores in weights/evals.json (shown by 'models').")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def eval_cmd(targets: tuple[Path, ...], model_name: str | None, weights: Path | None, device: str,
             render_size: int, batch_size: int, temperature: float | None, temporal: str, strength: float,
             save_dir: Path | None, limit: int | None, record: bool, quiet: bool) -> None:
    """Measure on color ground truth: photo folders (PSNR, SSIM, colorfulness vs the gray
    baseline) and videos (warping error, CDC, PSNR, colorfulness for the original, for
    --temporal off and for the temporal stage)."""
    from .evaluate import (evaluate_photos, evaluate_video, format_table, format_video_table, list_photos,
                           list_videos)
    from .inference import InferenceConfig
    from .temporal import TemporalConfig

    net = load_for_cli(model_name, weights, device)
    config = InferenceConfig(render_size=render_size, batch_size=batch_size, temperature=temperature)
    shown_t = (temperature if temperature is not None else getattr(net.config, "temperature", "-")) \
        if net.head_kind == "cls" else "- (regression)"
    click.echo(f"weights {getattr(net, 'weights_path', '?')}, render size {render_size}, temperature {shown_t}")
    videos: list[Path] = []
    for target in targets:
        photos = list_photos(target) if target.is_dir() else []
        if photos:
            scores, ref = evaluate_photos(target, net, config, save_dir / target.name if save_dir else None,
                                          limit, progress=not quiet)
            click.echo(format_table(str(target), scores, ref, len(photos[:limit])))
            if record:
                from .catalog import record_eval

                model_row, gray_row = scores
                path = record_eval(net, target.name, {
                    "psnr": model_row.psnr, "ssim": model_row.ssim, "cf_ratio": model_row.cf_ratio,
                    "gray_psnr": gray_row.psnr, "gray_ssim": gray_row.ssim, "photos": len(photos[:limit]),
                    "render_size": render_size,
                    "temperature": shown_t if net.head_kind == "cls" else None,
                })
                click.echo(f"recorded in {path}")
            continue
        videos += list_videos(target)
    if videos:
        tconf = TemporalConfig(mode=temporal, strength=strength)
        rows = {}
        for path in videos:
            rows[path.name] = evaluate_video(path, net, config, tconf, progress=not quiet)
        click.echo(format_video_table(rows))
        summary = summarize_videos(rows)
        click.echo(summary)


@main.command()
def models() -> None:
    """List the zoo: each model's weights, training steps and recorded eval scores."""
    from .catalog import format_models, model_status, read_evals

    evals = read_evals()
    click.echo(format_models([model_status(name, evals) for name in zoo.MODELS]))


def summarize_videos(rows) -> str:
    """Totals over all videos: the ratios the temporal stage is judged by."""
    import numpy as np

    e = np.array([[s.warping_error for s in r] for r in rows.values()])
    c = np.array([[s.cdc for s in r] for r in rows.values()])
    p = np.array([[s.psnr for s in r] for r in rows.values()])
    f = np.array([[s.colorfulness for s in r] for r in rows.values()])
    e_orig, e_off, e_on = e.mean(0)
    excess_cut = 1 - (e_on - e_orig) / max(e_off - e_orig, 1e-12)
    return (f"mean over {len(rows)} videos: warping error original {e_orig:.5f}, off {e_off:.5f}, "
            f"temporal {e_on:.5f} ({e_on / e_orig:.3f}x original; flicker excess cut {excess_cut:.0%}); "
            f"CDC original {c[:, 0].mean():.5f}, off {c[:, 1].mean():.5f}, temporal {c[:, 2].mean():.5f} "
            f"({c[:, 2].mean() / c[:, 0].mean():.3f}x original); PSNR off {np.mean(p[:, 1]):.2f} dB, "
            f"temporal {np.mean(p[:, 2]):.2f} dB; colorfulness off {f[:, 1].mean():.2f}, "
            f"temporal {f[:, 2].mean():.2f}")
