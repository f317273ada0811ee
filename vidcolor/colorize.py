"""The model stage: batches frames through the network, predicts ab at render size."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch

from .color import luma_to_gray_at
from .frames import Frame
from .inference import InferenceConfig, predict_ab, render_shape


def gray_small(frame: Frame, render_size: int) -> np.ndarray:
    """The frame's gray (0..255) at the working resolution the network sees."""
    h, w = frame.y.shape
    rh, rw = render_shape(h, w, render_size)
    return luma_to_gray_at(frame.y, frame.full_range, rw, rh)


def with_gray(items: Iterable[Frame], render_size: int) -> Iterator[Frame]:
    """Attach the working-size gray; done beside decoding so the model's thread only runs the model."""
    for item in items:
        item.gray = gray_small(item, render_size)
        yield item


def colorize_frames(items: Iterable[Frame], model: torch.nn.Module, config: InferenceConfig) -> Iterator[Frame]:
    """Set ``gray`` and ``ab`` on every frame, in order, running the network in batches."""
    batch: list[Frame] = []

    def flush() -> Iterator[Frame]:
        if batch:
            grays = np.stack([f.gray for f in batch])[:, None]
            ab = predict_ab(model, torch.from_numpy(grays), config.temperature)
            for f, a in zip(batch, ab.permute(0, 2, 3, 1).cpu().numpy()):
                f.ab = a
            yield from batch
            batch.clear()

    for item in items:
        if item.gray is None:
            item.gray = gray_small(item, config.render_size)
        if batch and batch[0].gray.shape != item.gray.shape:
            yield from flush()
        batch.append(item)
        if len(batch) >= config.batch_size:
            yield from flush()
    yield from flush()
