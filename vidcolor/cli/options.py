"""Option groups shared by commands, with defaults read from the settings dataclasses themselves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from ..media.encode import EncodeSettings
from ..models.backends import BACKENDS
from ..models.zoo import DEFAULT_MODEL
from ..pipeline.settings import Execution, InferenceConfig, Recipe
from ..pipeline.temporal import TEMPORAL_METHODS, FlowConfig, temporal_config

F = TypeVar("F", bound=Callable[..., object])


def _apply(f: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        f = option(f)
    return f


def model_options(f: F) -> F:
    """Which model, where it runs, and how it sees the picture."""
    return _apply(f, [
        click.option("--model", "model_name", help=f"Model from the zoo [default: {DEFAULT_MODEL}]."),
        click.option("--weights", type=click.Path(dir_okay=False, path_type=Path), help="A weights file instead."),
        click.option("--device", default=Execution.device, show_default=True, help="auto, cpu or cuda[:N]."),
        click.option("--render-size", default=InferenceConfig.render_size, show_default=True,
                     help="Short side (px) the network sees; chroma is upsampled onto full-size luma."),
        click.option("--batch-size", default=Execution.batch_size, show_default=True,
                     help="Frames per network call (0: 1 on the CPU, 4 on CUDA)."),
        click.option("--temperature", type=float,
                     help="Annealed-mean T (lower = more vivid) [default: the model's]."),
        click.option("--cast-removal", type=click.FloatRange(0, 1),
                     help="Share of each picture's mean color taken away, 0..1 (higher = fewer casts, e.g. "
                          "orange walls; 1 = gray world) [default: the model's]."),
    ])


def temporal_options(f: F) -> F:
    """How color is kept stable over time."""
    return _apply(f, [
        click.option("--temporal", type=click.Choice(list(TEMPORAL_METHODS)), default=FlowConfig.method,
                     show_default=True, help="Stabilize color over time."),
        click.option("--strength", default=FlowConfig.strength, show_default=True,
                     help="Temporal smoothing strength 0..1."),
        click.option("--predict-every", type=click.IntRange(1), default=FlowConfig.predict_every, show_default=True,
                     help="With --temporal flow: the network colorizes every Nth frame (and each shot's first), "
                          "the frames between take the color carried along the motion: faster at HD."),
    ])


def encode_options(f: F) -> F:
    """How the video is encoded and cut into resumable segments."""
    return _apply(f, [
        click.option("--crf", default=EncodeSettings.crf, show_default=True,
                     help="x264 quality (lower = better, bigger)."),
        click.option("--preset", default=EncodeSettings.preset, show_default=True,
                     help="x264 speed preset (medium or slow: smaller files, slower)."),
        click.option("--segment-seconds", default=Recipe.segment_seconds, show_default=True,
                     help="Encode in segments this long: an interrupted run resumes from the last one."),
    ])


def execution_options(f: F) -> F:
    """How fast, never what: none of these changes an output."""
    return _apply(f, [
        click.option("--model-workers", default=Execution.workers, show_default=True,
                     help="Threads running the model side by side on alternating batches, sharing the CPU "
                          "threads (0: one per CPU thread, at most 4; always 1 on CUDA)."),
        click.option("--compile", "compile_model", is_flag=True,
                     help="torch.compile the model: faster per frame after about a minute of compiling; for films."),
        click.option("--jit/--no-jit", default=Execution.jit, show_default=True,
                     help="On the CPU, run the network as prepared graphs, one per input shape (--no-jit: plain)."),
        click.option("--backend", type=click.Choice(BACKENDS), default=Execution.backend, show_default=True,
                     help="CPU graphs: ONNX Runtime or TorchScript (auto: ONNX Runtime where installed)."),
    ])


def recipe_from(model_name: str | None, weights: Path | None, render_size: int, temperature: float | None,
                temporal: str = FlowConfig.method, strength: float = FlowConfig.strength,
                crf: int = EncodeSettings.crf, preset: str = EncodeSettings.preset,
                segment_seconds: float = Recipe.segment_seconds, *,
                predict_every: int = FlowConfig.predict_every, cast_removal: float | None = None) -> Recipe:
    """The recipe the options describe."""
    return Recipe(model=model_name, weights=str(weights) if weights else None,
                  inference=InferenceConfig(render_size=render_size, temperature=temperature,
                                            cast_removal=cast_removal),
                  temporal=temporal_config(temporal, strength=strength, predict_every=predict_every),
                  encode=EncodeSettings(crf=crf, preset=preset), segment_seconds=segment_seconds)


def execution_from(device: str, batch_size: int, model_workers: int = Execution.workers,
                   compile_model: bool = Execution.compile, jit: bool = Execution.jit,
                   backend: str = Execution.backend) -> Execution:
    """The execution the options describe."""
    return Execution(device=device, batch_size=batch_size, workers=model_workers, compile=compile_model, jit=jit,
                     backend=backend)
