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
