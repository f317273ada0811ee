"""Files processed in worker processes the batch can kill: ``--jobs`` and ``--timeout``.

Each worker loads the model once, then takes one file at a time over a pipe.
The parent keeps a deadline per file: a worker stuck on a file (a decoder that
never returns) is killed, the file is reported as timed out, and a fresh worker
takes the next file. A worker that dies (a crash inside a native library, the
kernel's OOM killer) costs only its current file, reported with the signal.
What a killed worker leaves is what an interrupted run leaves: temporary
names only, and finished segments that the next run reuses.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnContext

from ..errors import VidcolorError
from ..pipeline.settings import Execution, Recipe
from ..pipeline.video import resolve_model
from ..runtime.malloc import keep_freed_memory
from ..runtime.threads import set_cpu_threads
from .jobs import Job
from .process import process
from .report import FileResult

READY = "ready"


@dataclass(frozen=True)
class WorkerOptions:
    """What every worker process is started with."""

    recipe: Recipe
    execution: Execution
    overwrite: bool
    output_format: str
    threads: int  # CPU threads of each worker


def _serve(conn: Connection, options: WorkerOptions) -> None:
    """Worker main: load the model, then answer one FileResult per Job until told to stop."""
    keep_freed_memory()  # a spawned worker starts afresh, without the CLI's process settings
    set_cpu_threads(options.threads)
    try:
        model = resolve_model(options.recipe, options.execution)
    except VidcolorError as exc:  # no model: nothing this worker (or any) can do
        conn.send(("fatal", str(exc)))
        return
    conn.send(READY)
    while True:
        job = conn.recv()
        if job is None:
            return
        conn.send(process(job, options.recipe, options.execution, model, options.overwrite, progress=False,
                          output_format=options.output_format))


class Worker:
    """One child process and the file it is on."""

    def __init__(self, ctx: SpawnContext, options: WorkerOptions) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, options), daemon=True)
        # Ctrl-C is the parent's to handle: an ignored signal stays ignored across the child's exec,
        # so it is ignored from the child's first instruction, not only once its imports are done
        try:
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:  # not the main thread: signals are not ours to change
            self.proc.start()
        else:
            try:
                self.proc.start()
            finally:
                signal.signal(signal.SIGINT, previous)
        child.close()
        self.ready = False
        self.job: Job | None = None
        self.started = self.deadline = float("inf")

    def submit(self, job: Job, timeout: float | None) -> None:
        self.conn.send(job)
        self.job = job
        self.started = time.monotonic()
        self.deadline = time.monotonic() + timeout if timeout else float("inf")

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def run_supervised(planned: Iterable[Job], options: WorkerOptions, jobs: int, timeout: float | None,
                   on_result: Callable[[FileResult], None]) -> None:
    """Process the jobs in ``jobs`` killable workers; every job yields exactly one result."""
    ctx = multiprocessing.get_context("spawn")
    queue = deque(planned)
    workers = [Worker(ctx, options) for _ in range(min(jobs, len(queue)) or 1)]

    def failed(w: Worker, error: str) -> FileResult:
        return FileResult(str(w.job.input), None, "failed", error, seconds=round(time.monotonic() - w.started, 3),
                          settings=options.recipe.as_dict())

    startup_failures = 0
    try:
        while queue or any(w.job is not None for w in workers):
            for w in workers:
                if w.ready and w.job is None and queue:
                    w.submit(queue.popleft(), timeout)
            next_deadline = min((w.deadline for w in workers), default=float("inf"))
            wait_for = max(0.0, min(next_deadline - time.monotonic(), 1.0))
            for conn in wait([w.conn for w in workers], timeout=wait_for):
                w = next(w for w in workers if w.conn is conn)
                try:
                    message = conn.recv()
                except (EOFError, OSError):  # the worker died
                    w.proc.join(1)
                    code = w.proc.exitcode
                    why = f"signal {-code}" if code and code < 0 else f"exit status {code}"
                    if w.job is not None:
                        on_result(failed(w, f"the worker processing it died ({why})"))
                    else:
                        startup_failures += 1
                        if startup_failures > 3:
                            raise VidcolorError(f"worker processes die while starting ({why})") from None
                    workers[workers.index(w)] = Worker(ctx, options)
                    w.stop(kill=True)
                    continue
                if isinstance(message, tuple) and message[0] == "fatal":
                    raise VidcolorError(message[1])
                if message == READY:
                    w.ready = True
                else:
                    on_result(message)
                    w.job, w.deadline = None, float("inf")
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.job is not None and now >= w.deadline:
                    on_result(failed(w, f"timed out after {timeout:g} s (--timeout)"))
                    w.stop(kill=True)
                    workers[i] = Worker(ctx, options)
    finally:
        for w in workers:
            w.stop(kill=w.job is not None)
