"""SIGTERM as Ctrl-C, so a stopped run cleans up exactly as an interrupted one."""

from __future__ import annotations

import signal
from types import FrameType


def install_sigterm() -> None:
    """SIGTERM behaves like Ctrl-C, so partial outputs are cleaned up."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
