"""``vidcolor train``: train (or continue) a model of the zoo on folders of color photos."""

from __future__ import annotations

from pathlib import Path

import click

from ..models import zoo
from ..runtime.threads import set_cpu_threads


def parse_weights(pairs: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            raise click.BadParameter(f"'{pair}' is not NAME=NUMBER", param_hint="--group-weight") from None
    return out


def parse_setting(value: str) -> float | bool | str:
    """An architecture setting's value from the command line: a number, true/false, or text."""
    if value in ("true", "false"):
        return value == "true"
    try:
        return float(value)
    except ValueError:
        return value


@click.command()
@click.argument("data_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--arch", default=zoo.DEFAULT_MODEL, show_default=True, help="Architecture from the zoo.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file to write, exported as it trains [default: the zoo's file in your weights folder].")
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
@click.option("--frozen-encoder-bn", is_flag=True,
              help="Keep the encoder's batch-norm statistics fixed while training, as at inference.")
@click.option("--threads", type=int, help="Torch CPU threads.")
def train(data_dirs: tuple[Path, ...], arch: str, out: Path | None, run_dir: Path | None, cache_dir: Path,
          log_file: Path | None, resume: bool, steps: int, until: int | None, minutes: float | None,
          warmup: int | None, batch_size: int,
          lr: float | None, crop: int, rebalance: float | None, l1_weight: float | None, reg_loss: str | None,
          model_set: tuple[str, ...], group_weight: tuple[str, ...], degrade: float, init_weights: Path | None,
          validation_list: Path | None, frozen_encoder_bn: bool, threads: int | None) -> None:
    """Train a colorizer of the zoo on folders of color photos."""
    from ..training.data import CropConfig
    from ..training.loop import train as run_training
    from ..training.loop import train_config
    from ..training.split import validation_names

    set_cpu_threads(threads)
    model = {key: parse_setting(value) for key, _, value in (pair.partition("=") for pair in model_set)}
    zoo.make_config(arch, model)  # unknown settings fail here, before any data is read
    config = train_config(arch, model=model, batch_size=batch_size, steps=steps, lr=lr, rebalance=rebalance,
                          l1_weight=l1_weight, reg_loss=reg_loss, warmup=warmup, frozen_encoder_bn=frozen_encoder_bn,
                          crop=CropConfig(size=crop, group_weights=parse_weights(group_weight), degrade=degrade))
    out = out or zoo.user_weights_dir() / zoo.entry(arch).weights
    run_training(list(data_dirs), config, out=out, run_dir=run_dir or cache_dir / "runs" / out.stem,
                 cache_dir=cache_dir, resume=resume, log_file=log_file or out.with_suffix(".log"), until=until,
                 minutes=minutes, init=init_weights,
                 resume_weights=zoo.weights_for(arch),  # on a fresh machine: go on from the shipped weights
                 validation=validation_names(validation_list) if validation_list else None)
