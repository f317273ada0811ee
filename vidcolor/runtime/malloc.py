"""Keeping freed memory in the process: glibc malloc thresholds for running a network in a loop.

Every batch frees and re-allocates the same few-MB activation buffers. By
default glibc hands such blocks back to the kernel (trim, and mmap for large
ones), so each batch page-faults them in again: on this project's 2-core VM
about 2,000–3,000 page faults per frame and a fifth of a core in the kernel.
With a 1 GiB trim threshold and a fixed 32 MiB mmap threshold (glibc's
maximum; setting the trim threshold alone would switch off glibc's adaptive
mmap threshold and make it far worse) the buffers are reused: ~8% more
frames/s, ~30 MB more peak memory (README, "Speed and memory").

Process-wide, so only applications call it (the CLI, its worker processes, the
benchmark), never the library on its own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 1 << 30
MMAP_THRESHOLD = 32 << 20  # glibc refuses more (HEAP_MAX_SIZE / 2 on 64-bit)


def keep_freed_memory() -> bool:
    """Set the thresholds if this is glibc; True when they were set."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to tune
        log.debug("malloc tuning: no glibc mallopt here")
        return False
    # the mmap threshold first: fixing it is what keeps large blocks out of mmap
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    log.debug("malloc tuning: %s", "set" if ok else "refused")
    return ok
