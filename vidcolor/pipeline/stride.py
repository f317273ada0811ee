"""Which frames the network colorizes when it need not see every one (``FlowConfig.predict_every``).

At HD and above on a CPU the encoder takes most of the time and the network most of the rest
(docs/speed.md); the temporal stage already carries each frame's color to the next along the
motion and keeps 85% of it where the motion is trusted. With ``predict_every`` N the network
colorizes the first frame of every shot and every Nth frame (by index, so a resumed run and a
run cut into segments pick the same frames); the frames between take the color the temporal
stage carries to them. Decided before the model stage, from the same cut detector the
temporal stage uses, so a frame that starts a shot is always predicted. The default, 2, was chosen
on the video validation set (scripts/make_video_split.py): it costs no chroma gain there and the
color is steadier (README "On video"); N 1 gives every frame its own prediction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..media.frames import Frame
from .cuts import CutDetector
from .temporal import FlowConfig, TemporalConfig


class PredictionStride:
    """Call with each frame in order (its working-size ``gray`` set): True where the network colorizes it."""

    def __init__(self, config: FlowConfig) -> None:
        self.every = config.predict_every
        self.cuts = CutDetector(config.cut_threshold, config.cut_ratio)  # the temporal stage's own detector

    def __call__(self, frame: Frame) -> bool:
        assert frame.gray is not None
        cut = self.cuts(frame.gray)  # called on every frame, so its history is the temporal stage's
        return cut or frame.anchored or frame.index % self.every == 0


def strided(config: TemporalConfig) -> bool:
    """Whether a temporal configuration lets the network skip frames."""
    return isinstance(config, FlowConfig) and config.predict_every > 1


def mark_predicted(items: Iterable[Frame], config: TemporalConfig) -> Iterator[Frame]:
    """Set ``predict`` on every frame (False: the temporal stage gives it its color)."""
    if not strided(config):
        yield from items
        return
    assert isinstance(config, FlowConfig)
    stride = PredictionStride(config)
    for item in items:
        item.predict = stride(item)
        yield item
