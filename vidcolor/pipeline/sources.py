"""Where a film's color comes from: color sources behind one interface.

A source sets ``ab`` on every frame, in order: the automatic model (here), keyframes an artist
colored (``keyframes.KeyframeColors``, the model underneath); reference photos come next.
``video.color_source`` picks one from the recipe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Protocol

import numpy as np

from ..media.frames import Frame
from ..models.backends import resolve_backend
from ..models.colorizer import Colorizer
from .colorize import colorize_frames, colorize_grays, colorize_in_workers, worker_layout
from .settings import Execution, Recipe
from .stride import mark_predicted


class ColorSource(Protocol):
    """Sets ``ab`` (at the working size) on every frame it is given, in order."""

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]: ...

    def report(self) -> list[str]:
        """What the run's report should say of where the color came from."""
        ...


class ModelColors:
    """The automatic model: batches through the network, in worker threads when pipelined.

    ``every_frame``: predict every frame whatever the recipe's stride (for sources that guide each
    frame's prediction); otherwise the frames the stride skips get their color from the temporal stage.
    """

    def __init__(self, model: Colorizer, recipe: Recipe, execution: Execution, every_frame: bool = False) -> None:
        self.model, self.recipe, self.every_frame = model, recipe, every_frame
        self.execution = replace(execution, backend=resolve_backend(execution.backend))
        self.layout = worker_layout(execution, model)

    def colorize(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        if not self.every_frame:
            frames = mark_predicted(frames, self.recipe.temporal)
        if self.execution.pipelined:
            return colorize_in_workers(frames, self.model, self.recipe.inference, self.execution, self.layout)
        return colorize_frames(frames, self.model, self.recipe.inference, self.execution, threads=self.layout.threads)

    def report(self) -> list[str]:
        return []

    def predict(self, gray: np.ndarray) -> np.ndarray:
        """The model's ab for one gray picture (0..255) at the working size: what it would paint there."""
        return colorize_grays(self.model, [gray], self.recipe.inference)[0]


def chroma_gain(predicted: np.ndarray, truth: np.ndarray, weight: np.ndarray | None = None) -> float:
    """How much of the model's chroma a guide bears out: the least-squares scale from the model's ab to the
    guide's over the same picture, within [0, 1]. A muted keyframe or photo mutes the model's color where
    the guide does not reach (a gray street stays gray), a vivid one leaves it as it is."""
    w = np.ones(predicted.shape[:2], np.float32) if weight is None else weight.astype(np.float32)
    p, t = predicted.astype(np.float32), truth.astype(np.float32)
    energy = float((w[..., None] * p * p).sum())
    if energy <= 1e-6:
        return 1.0
    return float(np.clip((w[..., None] * p * t).sum() / energy, 0.0, 1.0))

