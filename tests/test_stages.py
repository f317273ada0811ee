"""The threaded stages: order kept, nothing dropped, failures named, threads always joined."""

from __future__ import annotations

import random
import threading
import time

import pytest

from vidcolor.pipeline.stages import StageError, in_thread, parallel_map


def stage_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("vidcolor-")]


def jittery(x: int) -> tuple[int, str]:
    """Uneven work, so that workers finish out of turn."""
    time.sleep(random.Random(x).random() * 0.004)
    return x * x, threading.current_thread().name


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_parallel_map_keeps_order_and_drops_nothing(workers):
    results = list(parallel_map(range(40), jittery, "square", workers))
    assert [r for r, _ in results] == [x * x for x in range(40)]
    assert {name for _, name in results} == {f"vidcolor-square-{w}" for w in range(workers)}
    assert stage_threads() == []


def test_parallel_map_runs_on_start_in_every_worker():
    local = threading.local()

    def mark() -> None:
        local.ready = True

    assert all(parallel_map(range(9), lambda x: getattr(local, "ready", False), "m", 3, on_start=mark))


def test_a_failing_worker_stops_the_run_after_the_items_before_it():
    def fn(x: int) -> int:
        if x == 7:
            raise ValueError("bad 7")
        return x

    got = []
    with pytest.raises(StageError, match="colorize stage failed: ValueError: bad 7"):
        for x in parallel_map(range(100), fn, "colorize", 2):
            got.append(x)
    assert got == list(range(7))
    assert stage_threads() == []


def test_a_failing_source_is_raised_where_its_next_item_would_be():
    def source():
        yield from range(5)
        raise OSError("disk gone")

    got = []
    with pytest.raises(StageError, match="decode stage failed: OSError: disk gone"):
        for x in parallel_map(in_thread(source(), "decode"), lambda x: x, "colorize", 2):
            got.append(x)
    assert got == list(range(5))
    assert stage_threads() == []


def test_stopping_early_joins_every_thread_and_closes_the_source():
    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    results = parallel_map(in_thread(endless(), "decode", maxsize=2), lambda x: x, "colorize", 2)
    assert [next(results) for _ in range(10)] == list(range(10))
    results.close()
    assert closed.is_set() and stage_threads() == []


def test_in_thread_starts_nothing_until_asked():
    stage = in_thread(iter(range(3)), "lazy")
    assert stage_threads() == []
    assert list(stage) == [0, 1, 2] and stage_threads() == []
