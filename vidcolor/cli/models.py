"""``vidcolor models``: the zoo, with each model's weights, training and recorded scores."""

from __future__ import annotations

import click

from ..models import zoo
from ..models.catalog import format_models, model_status, read_evals


@click.command()
def models() -> None:
    """List the zoo: each model's weights, training steps and recorded eval scores."""
    evals = read_evals()
    click.echo(format_models([model_status(name, evals) for name in zoo.MODELS]))
