"""Running a pipeline stage in its own thread behind a bounded queue.

Stages are plain generators; chained directly they run sequentially, and
wrapped by ``in_thread`` they overlap (decode, model, temporal, encode), as in
Real-ESRGAN's and video2x's reader/writer threads. Items keep their order, none
is dropped, memory is bounded by the queue size, and a failure in a stage
stops the run and is reported with the stage's name.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from .errors import VidcolorError

T = TypeVar("T")
_END = object()


class StageError(VidcolorError):
    """A stage failed with an unexpected error."""


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def in_thread(items: Iterable[T], name: str, maxsize: int = 8) -> Iterator[T]:
    """Iterate ``items`` in a worker thread; yield them here, in order."""
    q: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(obj: object) -> bool:
        while not stop.is_set():
            try:
                q.put(obj, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        it = iter(items)
        try:
            for item in it:
                if not put(item):
                    break
            else:
                put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            put(_Failure(exc))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=work, name=f"vidcolor-{name}", daemon=True)
    thread.start()
    try:
        while True:
            obj = q.get()
            if obj is _END:
                return
            if isinstance(obj, _Failure):
                if isinstance(obj.exc, VidcolorError):
                    raise obj.exc
                raise StageError(f"{name} stage failed: {type(obj.exc).__name__}: {obj.exc}") from obj.exc
            yield obj
    finally:
        stop.set()
        thread.join()
