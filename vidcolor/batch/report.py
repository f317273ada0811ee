"""Outcomes: one ``FileResult`` per input, gathered in a ``BatchReport`` (summary and JSON)."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    settings: dict[str, Any] = field(default_factory=dict)  # the recipe it was made with
    tasks: int | None = None  # on a Ray cluster: the tasks that made it, the nodes they ran on, the retries
    nodes: list[str] = field(default_factory=list)
    retries: int = 0


@dataclass
class BatchReport:
    """All outcomes of a batch run."""

    results: list[FileResult]
    started: str
    finished: str = ""
    interrupted: bool = False

    def close(self, order: list[Path]) -> None:
        """Stamp the end and list the results in the order the inputs were planned."""
        self.finished = time.strftime("%Y-%m-%dT%H:%M:%S")
        rank = {str(p): i for i, p in enumerate(order)}
        self.results.sort(key=lambda r: rank.get(r.input, -1))

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    def summary(self) -> str:
        lines = [f"{self.count('done')} done, {self.count('skipped')} skipped (up to date), "
                 f"{self.count('failed')} failed" + (" (interrupted)" if self.interrupted else "")]
        lines += [f"  failed: {r.input}: {r.error}" for r in self.results if r.status == "failed"]
        lines += [f"  warning: {r.input}: {w}" for r in self.results for w in r.warnings]
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        from .. import __version__

        data = {"vidcolor": __version__, "started": self.started, "finished": self.finished,
                "interrupted": self.interrupted,
                "summary": {s: self.count(s) for s in ("done", "skipped", "failed")},
                "files": [dataclasses.asdict(r) for r in self.results]}
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)
