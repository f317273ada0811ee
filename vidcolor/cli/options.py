"""Option groups shared by commands, with defaults read from the settings dataclasses themselves."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar, cast

import click

from ..media.encode import EncodeSettings
from ..models.backends import BACKENDS
from ..models.zoo import DEFAULT_MODEL
from ..pipeline.settings import Execution, InferenceConfig, Recipe
from ..pipeline.temporal import TEMPORAL_METHODS, FlowConfig, TemporalConfig, temporal_config

F = TypeVar("F", bound=Callable[..., object])


def _apply(f: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        f = option(f)
    return f


def _grouped(name: str, build: Callable[..., object], options: list[Callable[[F], F]]) -> Callable[[F], F]:
    """Options that reach the command as one typed value, ``name`` = ``build(**their values)``: commands
    take settings objects, not a long run of loose parameters threaded on by position."""

    def blank() -> None:
        pass

    params = _apply(blank, options).__click_params__  # type: ignore[attr-defined]
    keys = [p.name for p in params]

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def command(*args: object, **kwargs: object) -> object:
            kwargs[name] = build(**{k: kwargs.pop(k) for k in keys})
            return f(*args, **kwargs)

        return _apply(cast(F, command), options)

    return decorate


@dataclass(frozen=True)
class ModelChoice:
    """What the model options say: which weights, where they run, how they see and decode the picture."""

    model_name: str | None
    weights: Path | None
    device: str
    render_size: int
    batch_size: int
    temperature: float | None
    cast_removal: float | None
    chroma_restore: float | None
    confidence_gate: float | None
    chroma_smoothing: int | None
    chroma_floor: float | None
    vivid: bool

    def recipe(self, temporal: TemporalConfig, encode: EncodeSettings | None = None,
               segment_seconds: float = Recipe.segment_seconds) -> Recipe:
        """The recipe for these weights and this decoding, with the temporal stage and the encoding."""
        inference = InferenceConfig(render_size=self.render_size, temperature=self.temperature,
                                    cast_removal=self.cast_removal, chroma_restore=self.chroma_restore,
                                    confidence_gate=self.confidence_gate, vivid=self.vivid,
                                    chroma_smoothing=None if self.chroma_smoothing is None
                                    else float(self.chroma_smoothing), chroma_floor=self.chroma_floor)
        return Recipe(model=self.model_name, weights=str(self.weights) if self.weights else None,
                      inference=inference, temporal=temporal, encode=encode or EncodeSettings(),
                      segment_seconds=segment_seconds)

    def execution(self, speed: Execution | None = None) -> Execution:
        """``speed`` (the execution options, or the defaults) on this device and batch size."""
        return replace(speed or Execution(), device=self.device, batch_size=self.batch_size)


def _temporal(temporal: str, strength: float, predict_every: int) -> TemporalConfig:
    return temporal_config(temporal, strength=strength, predict_every=predict_every)


def _execution(model_workers: int, compile_model: bool, jit: bool, backend: str) -> Execution:
    return Execution(workers=model_workers, compile=compile_model, jit=jit, backend=backend)


model_options = _grouped("model_choice", ModelChoice, [
    click.option("--model", "model_name", help=f"Model from the zoo [default: {DEFAULT_MODEL}]."),
    click.option("--weights", type=click.Path(dir_okay=False, path_type=Path), help="A weights file instead."),
    click.option("--device", default=Execution.device, show_default=True, help="auto, cpu or cuda[:N]."),
    click.option("--render-size", default=InferenceConfig.render_size, show_default=True,
                 help="Short side (px) the network sees; chroma is upsampled onto full-size luma."),
    click.option("--batch-size", default=Execution.batch_size, show_default=True,
                 help="Frames per network call (0: 1 on the CPU, 4 on CUDA)."),
    click.option("--temperature", type=float,
                 help="Annealed-mean T (lower = more vivid) [default: the model's; for videos its film decoding]."),
    click.option("--cast-removal", type=click.FloatRange(0, 1),
                 help="Share of each picture's mean color taken away, 0..1 (higher = fewer casts, e.g. "
                      "orange walls; 1 = gray world) [default: the model's]."),
    click.option("--chroma-restore", type=click.FloatRange(0, 1),
                 help="How far each pixel's chroma is raised towards the vividness the network expects, 0..1 "
                      "(higher = more vivid clothes and signs where it hesitates between neighbouring hues; "
                      "0 = the plain annealed mean) [default: the model's]."),
    click.option("--confidence-gate", type=click.FloatRange(0, 1),
                 help="Chroma scaled down where the network's belief is spread out (confidence below this, "
                      "0..1; 0 = off) [default: the model's]."),
    click.option("--chroma-smoothing", type=click.IntRange(0, 16),
                 help="Colors evened out within regions of even gray and kept to the gray's edges: the radius in "
                      "cells of the network's output (a quarter of the working size; higher = one color per "
                      "object, fewer blotches; 0 = off) [default: the model's; for videos its film decoding]."),
    click.option("--chroma-floor", type=click.FloatRange(0, 50),
                 help="Faint colors shown as gray: each pixel's chroma less this many ab units, none below 0, its "
                      "hue kept (higher = gray where the network only hints at a color; 0 = off) [default: the "
                      "model's; for videos its film decoding]."),
    click.option("--vivid", is_flag=True,
                 help="Decode a film as vividly as a photo (the weights' photo decoding, not their cautious film "
                      "one): bolder colors, and more of them wrong."),
])
"""Which model, where it runs, and how it sees the picture: one ``model_choice: ModelChoice``."""

temporal_options = _grouped("temporal", _temporal, [
    click.option("--temporal", type=click.Choice(list(TEMPORAL_METHODS)), default=FlowConfig.method,
                 show_default=True, help="Stabilize color over time."),
    click.option("--strength", default=FlowConfig.strength, show_default=True,
                 help="Temporal smoothing strength 0..1."),
    click.option("--predict-every", type=click.IntRange(1), default=FlowConfig.predict_every, show_default=True,
                 help="With --temporal flow: the network colorizes every Nth frame (and each shot's first), "
                      "the frames between take the color carried along the motion: faster at HD."),
])
"""How color is kept stable over time: one ``temporal: TemporalConfig``."""

encode_options = _grouped("encode", EncodeSettings, [
    click.option("--crf", default=EncodeSettings.crf, show_default=True,
                 help="x264 quality (lower = better, bigger)."),
    click.option("--preset", default=EncodeSettings.preset, show_default=True,
                 help="x264 speed preset (medium or slow: smaller files, slower)."),
])
"""How the video is encoded: one ``encode: EncodeSettings``."""

execution_options = _grouped("speed", _execution, [
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
"""How fast, never what (none of these changes an output): one ``speed: Execution`` (device and batch size
come from the model options: ``ModelChoice.execution``)."""
