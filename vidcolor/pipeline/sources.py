"""Where a film's color comes from: color sources behind one interface.

A source sets ``ab`` on every frame, in order. Today the automatic model is
the only one; keyframes an artist colored and reference photos come next,
each one more entry in ``COLOR_SOURCES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from ..media.frames import Frame
from ..models.colorizer import Colorizer
from .colorize import colorize_frames, colorize_in_workers, worker_layout
from .settings import Execution, Recipe


class ColorSource(Protocol):
    """Sets ``ab`` (at the working size) on every frame it is given, in order."""

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]: ...


class ModelColors:
    """The automatic model: batches through the network, in worker threads when pipelined."""

    def __init__(self, model: Colorizer, recipe: Recipe, execution: Execution) -> None:
        self.model, self.recipe, self.execution = model, recipe, execution
        self.layout = worker_layout(execution, model)

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        if self.execution.pipelined:
            return colorize_in_workers(frames, self.model, self.recipe.inference, self.execution, self.layout)
        return colorize_frames(frames, self.model, self.recipe.inference, self.execution, threads=self.layout.threads)


COLOR_SOURCES: dict[str, type] = {"model": ModelColors}


def make_source(name: str, model: Colorizer, recipe: Recipe, execution: Execution) -> ColorSource:
    """The named color source for one run."""
    return COLOR_SOURCES[name](model, recipe, execution)
