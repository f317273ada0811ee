"""CPU thread counts of torch and OpenCV, set for a block and then restored.

A video run is already parallel across its stages (decode, model workers,
temporal, encode), so the libraries' own thread pools only add contention on a
small CPU: OpenCV's pool busy-waits between jobs (DIS flow at the working size
took 1.26 ms of CPU with 2 OpenCV threads, 0.19 ms with 1; README, "Speed and
memory").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import torch


@contextlib.contextmanager
def _setting(get: Callable[[], int], set_: Callable[[int], None], n: int | None) -> Iterator[None]:
    """``set_(n)`` for the block, then the value ``get`` gave before (None: unchanged)."""
    if n is None:
        yield
        return
    previous = get()
    set_(n)
    try:
        yield
    finally:
        set_(previous)


def torch_threads(n: int | None) -> contextlib.AbstractContextManager[None]:
    """torch's CPU thread count set to ``n`` for the block (None: unchanged)."""
    return _setting(torch.get_num_threads, torch.set_num_threads, n)


def opencv_threads(n: int | None) -> contextlib.AbstractContextManager[None]:
    """OpenCV's thread count set to ``n`` for the block (process-wide: OpenCV has no per-thread setting)."""
    return _setting(cv2.getNumThreads, cv2.setNumThreads, n)


def set_cpu_threads(n: int | None) -> None:
    """For a whole process (the CLI's ``--threads``, a worker process): torch's and OpenCV's pools.

    The one place an application sets them for good; library code only sets them for a block.
    """
    if n:
        torch.set_num_threads(n)
        cv2.setNumThreads(n)


# Frames below this many pixels leave x264 a small share of the work beside a CPU model (640x360 at
# "faster": ~7 core-ms a frame against ~30 for the network), so it gets one thread; its frame threads
# would only cost CPU. From 1280x720 on it is the larger share (1080p: ~90 core-ms a frame) and gets
# every core: 720p end to end 21.5 -> 24.3 frames/s, 1080p 11.4 -> 14.3 (docs/speed.md).
SMALL_FRAME_PIXELS = 500_000


@dataclass(frozen=True)
class ThreadPlan:
    """How a run splits the cores it was given: model workers × torch threads each, and x264's threads."""

    model_workers: int
    model_threads: int
    encoder_threads: int


def thread_plan(cores: int, pixels: int, on_cpu: bool = True, workers: int = 0,
                encoder_threads: int = 0) -> ThreadPlan:
    """The split for frames of ``pixels`` on ``cores`` (explicit worker or encoder counts are kept, within the
    cores). No part ever gets more threads than there are cores: the stages run side by side already."""
    cores = max(1, cores)
    if on_cpu:
        model_workers = max(1, min(workers or min(cores, 4), cores))
        model_threads = max(1, cores // model_workers)
    else:  # the GPU queues the work: one caller
        model_workers, model_threads = 1, cores
    small = on_cpu and pixels < SMALL_FRAME_PIXELS
    return ThreadPlan(model_workers, model_threads, min(encoder_threads, cores) if encoder_threads else
                      1 if small else cores)
