"""Whole archives: many files and folders, one after another (or in parallel
processes), each failure one line while the batch goes on, and a report.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .errors import VidcolorError
from .outputs import PARTIAL_TAG

log = logging.getLogger(__name__)

# Files found in folders that are plainly not pictures or films: ignored, not failures.
NOT_MEDIA = {".txt", ".md", ".json", ".csv", ".xml", ".html", ".htm", ".pdf", ".doc", ".docx", ".log",
             ".nfo", ".srt", ".ass", ".vtt", ".sub", ".idx", ".ini", ".yaml", ".yml", ".py", ".sh", ".zip",
             ".tar", ".gz", ".7z", ".rar", ".db", ".DS_Store"}


@dataclass
class FileResult:
    """One input's outcome, as it appears in the summary and the JSON report."""

    input: str
    output: str | None
    status: str  # "done", "skipped" or "failed"
    error: str | None = None
    kind: str | None = None
    frames: int | None = None
    seconds: float = 0.0
    segments_reused: int = 0
    damaged_packets: int = 0
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Job:
    """One input to process, and where its result goes."""

    input: Path
    relative: Path  # mirrored under the output folder
    output_dir: Path | None  # None: beside the input (or ``output_file``)
    output_file: Path | None = None


def discover(inputs: list[Path], output: Path | None) -> tuple[list[Job], list[FileResult]]:
    """Expand folders recursively; plan where each result goes. Missing inputs are failures."""
    many = len(inputs) > 1 or any(p.is_dir() for p in inputs)
    out_dir = output if output is not None and (many or output.is_dir() or str(output).endswith(os.sep)) else None
    out_file = output if output is not None and out_dir is None else None
    jobs, failures = [], []
    for root in inputs:
        if not root.exists():
            failures.append(FileResult(str(root), None, "failed", "no such file or folder"))
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                rel = path.relative_to(root)
                if not path.is_file() or any(part.startswith(".") for part in rel.parts):
                    continue  # hidden files, our sidecars and work folders
                if path.suffix.lower() in NOT_MEDIA or PARTIAL_TAG in path.name:
                    continue
                if out_dir is not None and out_dir.resolve() in path.resolve().parents:
                    continue  # never re-colorize our own outputs
                jobs.append(Job(path, Path(root.name) / rel if len(inputs) > 1 else rel, out_dir))
        else:
            jobs.append(Job(root, Path(root.name), out_dir, out_file))
    return jobs, failures


def output_for(job: Job, kind: str) -> Path | None:
    """Where a job's result goes (None: the library's default beside the input)."""
    from .encode import output_suffix
    from .pipeline import copied_codecs

    if job.output_file is not None:
        return job.output_file
    suffix = ".png" if kind == "image" else output_suffix(job.input, copied_codecs(job.input))
    if job.output_dir is None:
        return job.input.with_name(f"{job.input.stem}.colorized{suffix}") if kind == "image" else None
    return job.output_dir / job.relative.parent / f"{job.relative.stem}{suffix}"


def settings_dict(settings: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(settings), default=str))


def process(job: Job, settings: Any, model: Any, overwrite: bool, progress: bool) -> FileResult:
    """Colorize one file; any failure becomes a FileResult, never an exception."""
    from .image import colorize_image_file
    from .pipeline import colorize_video
    from .probe import probe

    started = time.time()
    result = FileResult(str(job.input), None, "failed", settings=settings_dict(settings))
    try:
        info = probe(job.input)
        result.kind = info.kind
        out = output_for(job, info.kind)
        if info.kind == "image":
            skipped = colorize_image_file(job.input, out, model, settings.inference, overwrite)
            result.output = str(out)
            result.status = "skipped" if skipped else "done"
            result.frames = None if skipped else 1
        else:
            r = colorize_video(job.input, out, settings=settings, model=model, overwrite=overwrite,
                               progress=progress)
            result.output = str(r.output)
            result.status = "skipped" if r.skipped else "done"
            result.frames = r.frames if not r.skipped else None
            result.segments_reused, result.damaged_packets = r.segments_reused, r.damaged_packets
            result.warnings = list(r.notes)
    except VidcolorError as exc:
        result.error = str(exc).removeprefix(f"{job.input}: ")
    except (MemoryError, OSError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the archive
        log.debug("unexpected failure on %s", job.input, exc_info=True)
        result.error = f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    result.seconds = round(time.time() - started, 3)
    return result


@dataclass
class BatchReport:
    """All outcomes of a batch run."""

    results: list[FileResult]
    started: str
    finished: str = ""
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    def summary(self) -> str:
        lines = [f"{self.count('done')} done, {self.count('skipped')} skipped (up to date), "
                 f"{self.count('failed')} failed" + (" (interrupted)" if self.interrupted else "")]
        lines += [f"  failed: {r.input}: {r.error}" for r in self.results if r.status == "failed"]
        lines += [f"  warning: {r.input}: {w}" for r in self.results for w in r.warnings]
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        from . import __version__

        data = {"vidcolor": __version__, "started": self.started, "finished": self.finished,
                "interrupted": self.interrupted,
                "summary": {s: self.count(s) for s in ("done", "skipped", "failed")},
                "files": [dataclasses.asdict(r) for r in self.results]}
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)


def run_batch(inputs: list[Path], output: Path | None, settings: Any, model: Any = None,
              overwrite: bool = False, jobs: int = 1, progress: bool = True,
              timeout: float | None = None) -> BatchReport:
    """Process every input; never stops on a bad file. One process holds the GPU: jobs > 1 is CPU only.

    With ``jobs`` > 1 or a per-file ``timeout`` (seconds), files run in worker processes that
    are killed when a file takes longer than that (see ``supervisor``).
    """
    from .inference import pick_device
    from .pipeline import resolve_model

    if jobs > 1 and pick_device(settings.device).type == "cuda":
        log.warning("--jobs %d ignored: one process holds the GPU", jobs)
        jobs = 1
    report = BatchReport([], time.strftime("%Y-%m-%dT%H:%M:%S"))
    planned, failures = discover(inputs, output)
    report.results.extend(failures)
    overall = tqdm(total=len(planned), unit="file", desc="files", disable=not progress or len(planned) < 2,
                   position=0, dynamic_ncols=True)
    try:
        if planned and (timeout or (jobs > 1 and len(planned) > 1)):
            from .supervisor import run_supervised

            def collect(result: FileResult) -> None:
                report.results.append(result)
                overall.update(1)

            threads = max(1, (os.cpu_count() or 1) // jobs)
            run_supervised(planned, settings, overwrite, jobs, threads, timeout, collect)
        else:
            net = None
            for job in planned:
                if net is None:
                    net = model if model is not None else resolve_model(settings, None)
                overall.set_postfix_str(job.input.name)
                report.results.append(process(job, settings, net, overwrite, progress))
                overall.update(1)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        overall.close()
        report.finished = time.strftime("%Y-%m-%dT%H:%M:%S")
    order = {str(j.input): i for i, j in enumerate(planned)}
    report.results.sort(key=lambda r: order.get(r.input, -1))
    return report
