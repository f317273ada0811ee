"""``colorize_video``: decode -> colorize -> stabilize -> encode, overlapped in threads."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm

from .colorize import colorize_frames
from .decode import DecodeStats, decode
from .encode import EncodeSettings, VideoSink, output_suffix
from .errors import VidcolorError
from .inference import InferenceConfig, pick_device, prepare_model
from .outputs import atomic_output, check_output, default_output
from .probe import MediaInfo, open_input, probe
from .stages import in_thread
from .temporal import TemporalConfig, stabilize
from .zoo import load_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides what a run produces, plus how it is executed."""

    model: str | None = None  # zoo name (None: the default model)
    weights: str | None = None  # a weights file instead of the zoo's
    device: str = "auto"
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    temporal: TemporalConfig = field(default_factory=TemporalConfig)
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    pipelined: bool = True  # False: every stage in one thread (same output, for checking)
    queue_size: int = 8


@dataclass
class VideoResult:
    """What a run did."""

    input: Path
    output: Path
    frames: int
    packets_copied: int
    damaged_packets: int
    seconds: float
    notes: list[str]


def resolve_model(settings: RunSettings, model: torch.nn.Module | None) -> torch.nn.Module:
    """The given model, or the one the settings name, on the chosen device."""
    device = pick_device(settings.device)
    if model is None:
        model = load_model(settings.model, settings.weights, device=device)
    return prepare_model(model, device)


def plan_output(info: MediaInfo, output: str | Path | None) -> Path:
    """The output path: as given, or ``<stem>.colorized.<ext>`` with a container that fits."""
    if output is not None:
        return Path(output)
    with open_input(info.path) as c:
        codecs = [s.codec_context.name for s in (*c.streams.audio, *c.streams.subtitles) if s.codec_context]
    return default_output(info.path, output_suffix(info.path, codecs))


def colorize_video(input_path: str | Path, output: str | Path | None = None, *,
                   settings: RunSettings | None = None, model: torch.nn.Module | None = None,
                   overwrite: bool = False, progress: bool = True) -> VideoResult:
    """Colorize one video file; the result appears under its final name only when complete."""
    settings = settings or RunSettings()
    input_path = Path(input_path)
    info = probe(input_path)
    if info.kind != "video":
        raise VidcolorError("is a still image; use colorize_image", input_path)
    out = plan_output(info, output)
    check_output(input_path, out, overwrite)
    net = resolve_model(settings, model)
    started = time.time()
    stats = DecodeStats()

    stages = [
        ("decode", lambda items: decode(input_path, stats=stats)),
        ("colorize", lambda items: colorize_frames(items, net, settings.inference)),
        ("temporal", lambda items: stabilize(items, settings.temporal)),
    ]
    items = None
    for name, stage in stages:
        items = stage(items)
        if settings.pipelined:
            items = in_thread(items, name, settings.queue_size)

    bar = tqdm(total=info.frames or None, unit="frame", desc=input_path.name, disable=not progress,
               dynamic_ncols=True, leave=False)
    with atomic_output(out) as tmp:
        sink = VideoSink(tmp, input_path, settings.encode, info.rate)
        try:
            for item in items:
                sink.write(item)
                if sink.frames_written != bar.n:
                    bar.update(sink.frames_written - bar.n)
            sink.close()
        except BaseException:
            sink.abort()
            items.close() if hasattr(items, "close") else None
            raise
        finally:
            bar.close()
    return VideoResult(input_path, out, sink.frames_written, sink.packets_copied, stats.damaged,
                       time.time() - started, stats.notes)
