"""CPU thread counts of torch and OpenCV, set for a block and then restored.

A video run is already parallel across its stages (decode, model workers,
temporal, encode), so the libraries' own thread pools only add contention on a
small CPU: OpenCV's pool busy-waits between jobs (DIS flow at the working size
took 1.26 ms of CPU with 2 OpenCV threads, 0.19 ms with 1; README, "Speed and
memory").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import cv2
import torch


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """torch's CPU thread count set to ``n`` for the block (None: unchanged)."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def opencv_threads(n: int) -> Iterator[None]:
    """OpenCV's thread count set to ``n`` for the block (process-wide: OpenCV has no per-thread setting)."""
    previous = cv2.getNumThreads()
    cv2.setNumThreads(n)
    try:
        yield
    finally:
        cv2.setNumThreads(previous)
