"""Progress that fits where it goes: a tqdm bar on a terminal, a plain line every few seconds elsewhere.

Under a batch system or with stderr sent to a log file, thousands of
carriage-return updates make the log unreadable; there the same progress
is one line every ``interval`` seconds (and one at the end).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

PLAIN_INTERVAL = 10.0


class PlainProgress:
    """tqdm's small interface (update, set_postfix_str, close), printed as occasional lines."""

    def __init__(self, total: int | None, desc: str, unit: str, initial: int = 0, stream: TextIO | None = None,
                 interval: float = PLAIN_INTERVAL) -> None:
        self.total, self.desc, self.unit, self.n = total, desc, unit, initial
        self.stream = stream or sys.stderr
        self.interval = interval
        self.started = self.last = time.monotonic()
        self.postfix = ""
        self.closed = False

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._line()

    def set_postfix_str(self, text: str) -> None:
        self.postfix = text

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        of = f"/{self.total}" if self.total else ""
        extra = f" {self.postfix}" if self.postfix else ""
        print(f"{self.desc}: {self.n}{of} {self.unit}s, {self.n / elapsed:.1f} {self.unit}s/s{extra}",
              file=self.stream, flush=True)

    def close(self) -> None:
        if not self.closed and self.n:
            self._line()
        self.closed = True


def progress(total: int | None, desc: str, unit: str, enabled: bool = True, initial: int = 0,
             position: int | None = None) -> tqdm | PlainProgress:
    """A progress display: tqdm on a terminal, PlainProgress when stderr is not one, silent when disabled."""
    if enabled and not sys.stderr.isatty():
        return PlainProgress(total, desc, unit, initial)
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not enabled, leave=False,
                dynamic_ncols=True, position=position)
