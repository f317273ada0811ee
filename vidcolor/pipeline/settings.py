"""Run settings, in two parts: the recipe (what decides the pixels) and the execution (how fast).

Only the recipe goes into the key that decides whether an output is up to date
and whether finished segments can be resumed, so running again with more
workers, without TorchScript graphs or on another queue size reuses
everything already done.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..media.encode import EncodeSettings
from ..models.archs.base import Decoding
from ..models.colorizer import FILM_SETTINGS
from .temporal import FlowConfig, TemporalConfig


@dataclass(frozen=True)
class InferenceConfig:
    """How the network sees a picture."""

    render_size: int = 160  # short side the network sees (chosen on the validation split: README)
    temperature: float | None = None  # annealed-mean T; None = the model's own
    cast_removal: float | None = None  # share of each picture's mean ab taken away; None = the model's own
    chroma_restore: float | None = None  # exponent of the chroma raised to the expected; None = the model's own
    confidence_gate: float | None = None  # chroma × min(1, confidence / gate); None = the model's own
    scene_gain_power: float | None = None  # the picture-wide gain raised to this (0: off); None = the model's own
    prior_correction: float | None = None  # share of the class rebalancing undone (0: off); None = the model's own
    chroma_smoothing: float | None = None  # edge-aware smoothing radius (0: off); None = the model's own
    chroma_floor: float | None = None  # soft threshold on chroma, ab units (0: off); None = the model's own
    vivid: bool = False  # a film decoded as vividly as a photo (the weights' photo decoding, not their film one)

    @property
    def decoding(self) -> Decoding:
        """The network's decoding for these settings (what is None stays the weights' own)."""
        return Decoding(**{name: getattr(self, name) for name in FILM_SETTINGS})

    def for_film(self, film: Decoding) -> InferenceConfig:
        """These settings for a film's frames: what they leave to the weights becomes the weights' film
        decoding (``ModelInfo.film_decoding``) where it has one, so a user's flag still wins; ``vivid``: the
        weights' photo decoding instead."""
        if self.vivid:
            return self
        chosen = self.decoding.over(film)
        return dataclasses.replace(self, **{name: getattr(chosen, name) for name in FILM_SETTINGS})


@dataclass(frozen=True)
class GuideImage:
    """A picture that directs a film's color (a keyframe, or a reference photo): the frame it belongs to
    (-1: the whole film), its content's sha256, and its file (in no key)."""

    index: int
    sha256: str
    path: Path = field(compare=False)


@dataclass(frozen=True)
class Recipe:
    """Everything that decides what an output holds."""

    model: str | None = None  # zoo name (None: the default model)
    weights: str | None = None  # a weights file instead of the zoo's
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    temporal: TemporalConfig = field(default_factory=FlowConfig)
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    deinterlace: bool = False  # interlaced film: progressive out (bwdif) instead of interlaced, per-field color
    keyframes: tuple[GuideImage, ...] = ()  # colored frames to carry through their shots (by content, not path)
    reference: tuple[GuideImage, ...] = ()  # color photos of similar content (index -1: the whole film; else
    # the shot holding that frame), by content
    segment_seconds: float = 60.0  # resume granularity (each segment starts on a keyframe)
    resume_warmup_seconds: float = 2.0  # frames re-run (not re-encoded) to restore the temporal state

    def for_film(self, film: Decoding) -> Recipe:
        """The recipe a film is colored by (``InferenceConfig.for_film``): what its outputs are keyed by."""
        return dataclasses.replace(self, inference=self.inference.for_film(film))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for run keys and reports (keyframes by index and content: a moved folder redoes nothing)."""
        d = dataclasses.asdict(self)
        d["keyframes"] = [{"index": k.index, "sha256": k.sha256} for k in self.keyframes]
        d["reference"] = [{"index": r.index, "sha256": r.sha256} for r in self.reference]
        return json.loads(json.dumps(d, default=str))


@dataclass(frozen=True)
class Execution:
    """How a run is carried out; never changes what it writes."""

    device: str = "auto"  # auto, cpu or cuda[:N]
    batch_size: int = 0  # frames per network call (0: by device, pipeline.colorize.frames_per_call)
    workers: int = 0  # model threads taking turns on batches (0: one per CPU thread, at most 4; 1 on CUDA)
    jit: bool = True  # video on the CPU: the network as prepared graphs (TorchScript or ONNX Runtime)
    backend: str = "auto"  # CPU graphs: auto, torch or onnxruntime (models/backends.py)
    compile: bool = False  # torch.compile: faster per frame after a one-time compile (opt-in)
    queue_size: int = 8  # frames between threaded stages
    pipelined: bool = True  # False: every stage in one thread (same output, for checking)
    encoder_threads: int = 0  # x264 threads; 0: by frame size and device (runtime.threads.thread_plan)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
