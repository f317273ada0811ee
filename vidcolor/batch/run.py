"""``run_batch``: many files and folders, one after another (or in worker processes), each failure
one line while the batch goes on, and a report.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..models.colorizer import Colorizer
from ..pipeline.settings import Execution, Recipe
from ..pipeline.video import resolve_model
from ..runtime.device import pick_device
from ..runtime.progress import progress as progress_bar
from .jobs import discover
from .process import process
from .report import BatchReport, FileResult
from .supervisor import WorkerOptions, run_supervised

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOptions:
    """How a batch treats its files (beside the recipe and execution every file shares)."""

    overwrite: bool = False
    jobs: int = 1  # files in parallel worker processes (CPU only)
    timeout: float | None = None  # seconds per file; files then run in killable workers
    progress: bool = True
    output_format: str = "h264"
    recipe: Recipe = field(default_factory=Recipe)
    execution: Execution = field(default_factory=Execution)


def run_batch(inputs: list[Path], output: str | Path | None, options: BatchOptions,
              model: Colorizer | None = None) -> BatchReport:
    """Process every input; never stops on a bad file. One process holds the GPU: jobs > 1 is CPU only.

    With ``jobs`` > 1 or a per-file ``timeout``, files run in worker processes that are
    killed when a file takes longer than that (see ``supervisor``).
    """
    jobs = options.jobs
    if jobs > 1 and pick_device(options.execution.device).type == "cuda":
        log.warning("--jobs %d ignored: one process holds the GPU", jobs)
        jobs = 1
    report = BatchReport([], time.strftime("%Y-%m-%dT%H:%M:%S"))
    planned, failures = discover(inputs, output)
    report.results.extend(failures)
    overall = progress_bar(len(planned), "files", "file", enabled=options.progress and len(planned) >= 2,
                           position=0)
    try:
        if planned and (options.timeout or (jobs > 1 and len(planned) > 1)):
            def collect(result: FileResult) -> None:
                report.results.append(result)
                overall.update(1)

            worker = WorkerOptions(options.recipe, options.execution, options.overwrite, options.output_format,
                                   threads=max(1, (os.cpu_count() or 1) // jobs))
            run_supervised(planned, worker, jobs, options.timeout, collect)
        else:
            for job in planned:
                model = resolve_model(options.recipe, options.execution, model)  # loaded once, for the first file
                overall.set_postfix_str(job.input.name)
                report.results.append(process(job, options.recipe, options.execution, model, options.overwrite,
                                              options.progress, options.output_format))
                overall.update(1)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        overall.close()
    report.close([j.input for j in planned])
    return report
