"""The model stage: batches frames through the network, predicts ab at render size."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch

from .color import luma_to_gray_at
from .frames import Frame
from .cpu_threads import torch_threads
from .inference import InferenceConfig, WorkerLayout, predict_ab, render_shape
from .stages import parallel_map


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


def batches(items: Iterable[Frame], config: InferenceConfig) -> Iterator[list[Frame]]:
    """Frames grouped for the network: ``batch_size`` at a time, a new batch whenever the size changes."""
    batch: list[Frame] = []
    for item in items:
        if item.gray is None:
            item.gray = gray_small(item, config.render_size)
        if batch and batch[0].gray.shape != item.gray.shape:
            yield batch
            batch = []
        batch.append(item)
        if len(batch) >= config.batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def predict_batch(batch: list[Frame], model: torch.nn.Module, config: InferenceConfig) -> list[Frame]:
    """Set ``ab`` on every frame of one batch."""
    grays = np.stack([f.gray for f in batch])[:, None]
    ab = predict_ab(model, torch.from_numpy(grays), config.temperature)
    for f, a in zip(batch, ab.permute(0, 2, 3, 1).cpu().numpy()):
        f.ab = a
    return batch


def colorize_frames(items: Iterable[Frame], model: torch.nn.Module, config: InferenceConfig,
                    threads: int | None = None) -> Iterator[Frame]:
    """Set ``gray`` and ``ab`` on every frame, in order, running the network in batches in this thread.

    ``threads``: torch threads for each batch (then restored), so that this
    sequential path computes exactly what ``colorize_in_workers`` does.
    """
    for batch in batches(items, config):
        with torch_threads(threads):
            yield from predict_batch(batch, model, config)


def colorize_in_workers(items: Iterable[Frame], model: torch.nn.Module, config: InferenceConfig,
                        layout: WorkerLayout) -> Iterator[Frame]:
    """Like ``colorize_frames``, with batches alternating between ``layout.workers`` model threads.

    On a small CPU, single-threaded callers side by side beat one caller with
    all the threads (README, "Speed and memory"): a multi-threaded op waits at
    its end for its slowest thread, so when the OS lends a core to decoding or
    x264 both cores stall; a single-threaded worker only slows itself down.
    """
    previous = torch.get_num_threads()
    results = parallel_map(batches(items, config), lambda b: predict_batch(b, model, config), "colorize",
                           layout.workers, on_start=lambda: torch.set_num_threads(layout.threads))
    try:
        for batch in results:
            yield from batch
    finally:
        results.close()
        torch.set_num_threads(previous)  # the workers' setting is also torch's default for new threads
