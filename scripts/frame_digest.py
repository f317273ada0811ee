"""sha256 of the Y, U and V planes a run hands to the encoder, for every frame of a film.

x264 itself is not bit-reproducible from one process to the next on this
machine (the same frames encode to slightly different files), so a refactor is
checked on what the pipeline produces: the planes going into the encoder.

    python scripts/frame_digest.py samples/archive-reel.mp4 [--no-jit]
"""

from __future__ import annotations

import hashlib
import sys
from contextlib import closing
from pathlib import Path

from vidcolor import Execution, Recipe, load_model
from vidcolor.media.decode import DecodeStats
from vidcolor.media.encode import to_video_frame
from vidcolor.pipeline.video import build_stages
from vidcolor.runtime.threads import opencv_threads


def main() -> None:
    path, jit = Path(sys.argv[1]), "--no-jit" not in sys.argv
    model = load_model(device="cpu")
    digest, frames = hashlib.sha256(), 0
    with opencv_threads(1), closing(build_stages(path, model, Recipe(), Execution(jit=jit), 0, DecodeStats())) as it:
        for frame in it:
            digest.update(to_video_frame(frame, "yuv420p").to_ndarray().tobytes())
            frames += 1
    print(digest.hexdigest(), frames, "frames", "jit" if jit else "no jit")


if __name__ == "__main__":
    main()
