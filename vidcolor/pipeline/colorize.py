"""The model stage: batches frames through the ``Colorizer``, predicts ab at the working size.

Also the same for stills (``colorize_grays``), so every path colorizes the
same way: video, photos, previews and eval.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from ..media.color import luma_to_gray_at, resize
from ..media.frames import Frame
from ..models.backends import RUNNERS
from ..models.colorizer import Colorizer
from ..runtime.threads import thread_plan, torch_threads
from .settings import Execution, InferenceConfig
from .stages import parallel_map


def render_shape(height: int, width: int, short_side: int) -> tuple[int, int]:
    """Working (h, w): short side = short_side, aspect kept, multiples of 8."""
    scale = short_side / min(height, width)
    return max(8, round(height * scale / 8) * 8), max(8, round(width * scale / 8) * 8)


@dataclass(frozen=True)
class WorkerLayout:
    """How many model workers run side by side, and torch's thread count in each."""

    workers: int
    threads: int


def worker_layout(execution: Execution, model: Colorizer, threads: int | None = None) -> WorkerLayout:
    """Split the CPU threads (default: torch's count) among model workers.

    One worker on CUDA (the GPU queues the work anyway), for compiled models
    (one compiled graph, one caller) and for backends that want one caller (OpenVINO).
    """
    total = threads or torch.get_num_threads()
    runner = RUNNERS.get(execution.backend) if execution.jit else None
    if model.compiled or (runner is not None and not runner.side_by_side):
        return WorkerLayout(1, total)
    plan = thread_plan(total, 0, on_cpu=model.device.type == "cpu", workers=execution.workers)
    return WorkerLayout(plan.model_workers, plan.model_threads)


def gray_small(frame: Frame, render_size: int) -> np.ndarray:
    """The frame's gray (0..255) at the working resolution the network sees (a field: at its frame's)."""
    h, w = frame.y.shape
    h *= 1 if frame.field is None else 2
    rh, rw = render_shape(h, w, render_size)
    return luma_to_gray_at(frame.y, frame.full_range, rw, rh)


def with_gray(items: Iterable[Frame], render_size: int) -> Iterator[Frame]:
    """Attach the working-size gray; done beside decoding so the model's thread only runs the model."""
    for item in items:
        item.gray = gray_small(item, render_size)
        yield item


CUDA_BATCH = 4  # frames per call on a GPU, which needs batches to fill it


def frames_per_call(execution: Execution, model: Colorizer) -> int:
    """``execution.batch_size``, or by device: one frame per call on the CPU, whose activations then stay
    in cache (640x360 end to end: ONNX Runtime 47.9 frames/s at 1 against 44.5 at 4, torch 40.6 against
    38.7; docs/speed.md), ``CUDA_BATCH`` on a GPU."""
    if execution.batch_size > 0:
        return execution.batch_size
    return CUDA_BATCH if model.device.type == "cuda" else 1


def batches(items: Iterable[Frame], config: InferenceConfig, batch_size: int) -> Iterator[list[Frame]]:
    """Frames grouped for the network: ``batch_size`` predicted ones at a time (a new batch whenever the size
    changes), each followed by the frames the network skips (stride.py), so that model workers taking
    turns on batches get equal work."""
    batch: list[Frame] = []
    predicted = 0
    for item in items:
        if item.gray is None:
            item.gray = gray_small(item, config.render_size)
        if item.predict and batch and (predicted >= batch_size or batch[0].gray.shape != item.gray.shape):
            yield batch
            batch, predicted = [], 0
        batch.append(item)
        predicted += item.predict
    if batch:
        yield batch


def predict_batch(batch: list[Frame], model: Colorizer, config: InferenceConfig,
                  execution: Execution) -> list[Frame]:
    """Set ``ab`` on every frame of one batch that the network colorizes (the others keep ``ab`` None)."""
    todo = [f for f in batch if f.predict]
    if not todo:
        return batch
    grays = np.stack([f.gray for f in todo])[:, None]
    fixed = execution.jit or model.compiled  # graphs and compiled code are made per shape: pad the last batch
    ab = model.predict_ab(torch.from_numpy(grays), config.decoding, graphs=execution.jit,
                          pad_to=frames_per_call(execution, model) if fixed else None, backend=execution.backend)
    for f, a in zip(todo, ab.permute(0, 2, 3, 1).cpu().numpy()):
        f.ab = a
    return batch


PLAIN = Execution(jit=False)  # the plain network, for eval and previews


def colorize_frames(items: Iterable[Frame], model: Colorizer, config: InferenceConfig,
                    execution: Execution = PLAIN, threads: int | None = None) -> Iterator[Frame]:
    """Set ``gray`` and ``ab`` on every frame, in order, running the network in batches in this thread.

    ``threads``: torch threads for each batch (then restored), so that this
    sequential path computes exactly what ``colorize_in_workers`` does.
    """
    for batch in batches(items, config, frames_per_call(execution, model)):
        with torch_threads(threads):
            yield from predict_batch(batch, model, config, execution)


def colorize_in_workers(items: Iterable[Frame], model: Colorizer, config: InferenceConfig,
                        execution: Execution, layout: WorkerLayout) -> Iterator[Frame]:
    """Like ``colorize_frames``, with batches alternating between ``layout.workers`` model threads.

    On a small CPU, single-threaded callers side by side beat one caller with
    all the threads (docs/speed.md): a multi-threaded op waits at its end for
    its slowest thread, so when the OS lends a core to decoding or x264 both
    cores stall; a single-threaded worker only slows itself down.
    """
    previous = torch.get_num_threads()
    results = parallel_map(batches(items, config, frames_per_call(execution, model)),
                           lambda b: predict_batch(b, model, config, execution), "colorize",
                           layout.workers, on_start=lambda: torch.set_num_threads(layout.threads))
    try:
        for batch in results:
            yield from batch
    finally:
        results.close()
        torch.set_num_threads(previous)  # the workers' setting is also torch's default for new threads


def colorize_grays(model: Colorizer, grays: list[np.ndarray], config: InferenceConfig) -> list[np.ndarray]:
    """Full-resolution gray images (float 0..255, same size) -> ab at the working size (plain network)."""
    h, w = grays[0].shape
    rh, rw = render_shape(h, w, config.render_size)
    small = np.stack([resize(g, rw, rh) for g in grays])[:, None]
    ab = model.predict_ab(torch.from_numpy(small), config.decoding)
    return list(ab.permute(0, 2, 3, 1).cpu().numpy())
