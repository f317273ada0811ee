"""sha256 of every decoded frame's visible Y, U and V pixels: two files with the same digest hold
the same picture, bit for bit (used to check that a refactor changes no output).

    python scripts/plane_digest.py a.mp4 [b.mp4 ...]
"""

from __future__ import annotations

import hashlib
import sys

import av


def digest(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    frames = 0
    with av.open(path) as container:
        for frame in container.decode(video=0):
            h.update(frame.to_ndarray().tobytes())  # planar YUV: the visible pixels of every plane
            frames += 1
    return frames, h.hexdigest()


if __name__ == "__main__":
    for name in sys.argv[1:]:
        n, d = digest(name)
        print(f"{d}  {n} frames  {name}")
