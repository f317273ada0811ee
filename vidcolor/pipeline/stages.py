"""Running pipeline stages in their own threads behind bounded queues.

Stages are plain generators; chained directly they run sequentially, and
wrapped by ``in_thread`` they overlap (decode, model, temporal, encode), as in
Real-ESRGAN's and video2x's reader/writer threads. ``parallel_map`` runs one
function in several worker threads on alternating items (the model, twice on
two cores) and gives the results back in input order. Items keep their order,
none is dropped, memory is bounded by the queue sizes, and a failure in a stage
stops the run and is reported with the stage's name.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from ..errors import VidcolorError

T = TypeVar("T")
R = TypeVar("R")
_END = object()


class StageError(VidcolorError):
    """A stage failed with an unexpected error."""


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class _Channel:
    """A bounded queue whose blocking calls give up once the run is stopped."""

    def __init__(self, stop: threading.Event, maxsize: int) -> None:
        self.q: queue.Queue = queue.Queue(maxsize=maxsize)
        self.stop = stop

    def put(self, obj: object) -> bool:
        while not self.stop.is_set():
            try:
                self.q.put(obj, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def get(self) -> object:
        while not self.stop.is_set():
            try:
                return self.q.get(timeout=0.1)
            except queue.Empty:
                continue
        return _END


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Report an unexpected error in the block as the named stage's failure (ours pass unchanged)."""
    try:
        yield
    except (VidcolorError, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # handed to the consumer
        raise StageError(f"{name} stage failed: {type(exc).__name__}: {exc}") from exc


def _unwrap(obj: object, name: str) -> object:
    """The item itself, or the worker's failure raised here with the stage's name."""
    if isinstance(obj, _Failure):
        with stage(name):
            raise obj.exc
    return obj


def _feed(items: Iterable[T], outs: list[_Channel]) -> None:
    """Thread body: item k goes to ``outs[k % len(outs)]``; the end (or a failure) to all in turn."""
    it = iter(items)
    k = 0
    try:
        for item in it:
            if not outs[k % len(outs)].put(item):
                return
            k += 1
        tail: object = _END
    except BaseException as exc:  # handed to the consumer
        tail = _Failure(exc)
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    for j in range(len(outs)):  # the consumer meets it at position k, where the next item would be
        outs[(k + j) % len(outs)].put(tail)


def _start(target: Callable[..., None], name: str, *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=f"vidcolor-{name}", daemon=True)
    thread.start()
    return thread


def _merge(channels: list[_Channel], name: str, stop: threading.Event,
           threads: list[threading.Thread]) -> Iterator[object]:
    """Take results round-robin (input order) until the end; always stop and join the threads."""
    try:
        k = 0
        while True:
            obj = channels[k % len(channels)].get()
            if obj is _END:
                return
            yield _unwrap(obj, name)
            k += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def in_thread(items: Iterable[T], name: str, maxsize: int = 8) -> Iterator[T]:
    """Iterate ``items`` in a worker thread; yield them here, in order."""
    stop = threading.Event()  # (a generator: nothing starts until the first item is asked for)
    channel = _Channel(stop, maxsize)
    yield from _merge([channel], name, stop, [_start(_feed, name, items, [channel])])  # type: ignore[misc]


def parallel_map(items: Iterable[T], fn: Callable[[T], R], name: str, workers: int, maxsize: int = 2,
                 on_start: Callable[[], None] | None = None) -> Iterator[R]:
    """``fn`` over ``items`` in ``workers`` threads taking turns; results in input order.

    Worker ``w`` gets items ``w, w + workers, ...``, so reading the workers' results
    round-robin restores the order without sorting or buffering. ``on_start`` runs
    first in every worker thread (per-thread settings such as torch's thread count).
    """
    stop = threading.Event()
    inboxes = [_Channel(stop, maxsize) for _ in range(workers)]
    outboxes = [_Channel(stop, maxsize) for _ in range(workers)]

    def work(inbox: _Channel, outbox: _Channel) -> None:
        try:
            if on_start is not None:
                on_start()
            while True:
                obj = inbox.get()
                if obj is _END or isinstance(obj, _Failure):
                    outbox.put(obj)
                    return
                outbox.put(fn(obj))  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the consumer
            outbox.put(_Failure(exc))

    threads = [_start(_feed, f"{name}-feed", items, inboxes)]
    threads += [_start(work, f"{name}-{w}", inbox, outbox) for w, (inbox, outbox) in enumerate(zip(inboxes, outboxes))]
    yield from _merge(outboxes, name, stop, threads)  # type: ignore[misc]
