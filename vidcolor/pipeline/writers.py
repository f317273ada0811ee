"""Where a film's colorized frames go: output writers behind one small protocol.

``h264`` (the default) encodes segments that a killed run resumes from and
joins them with every audio and subtitle packet of the input, copied
untouched; ``png`` writes a lossless numbered PNG sequence (one file per
frame, full resolution) into a folder, for an editor or a grading tool.
Either way nothing appears under the final name before ``finish``.
"""

from __future__ import annotations

import os
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from ..media.encode import EncodeSettings, frame_rgb
from ..media.files import atomic_output, partial_path
from ..media.frames import Frame
from ..media.images import write_png
from ..media.remux import JoinResult, join_segments
from ..media.segments import SegmentWriter, WorkDir


class VideoWriter(Protocol):
    """Receives colorized frames in order; makes the output final in ``finish``."""

    resumed_frames: int  # frames an earlier, interrupted run already wrote (skipped this time)

    def write(self, frame: Frame) -> None: ...

    def finish(self, source: Path, rotation: int) -> JoinResult | None:
        """Make the output final: what was copied from the source and what could not be (None: no frames)."""
        ...

    def abort(self) -> None: ...


class H264Segments:
    """H.264 in resumable segments, joined with the input's other streams at the end."""


    def __init__(self, output: Path, key: dict[str, Any], encode: EncodeSettings, rate: Fraction,
                 segment_frames: int) -> None:
        self.output, self.rate = output, rate
        self.work = WorkDir.for_output(output, key)
        reused = self.work.prepare()
        self.resumed_frames = reused * segment_frames
        self.segments = SegmentWriter(self.work, encode, rate, segment_frames, first_segment=reused)
        self.reused_segments = reused

    def write(self, frame: Frame) -> None:
        self.segments.write(frame)

    def finish(self, source: Path, rotation: int) -> JoinResult | None:
        self.segments.finish_segment()
        done = self.work.segments()
        if not done:
            self.work.remove()
            return None
        with atomic_output(self.output) as tmp:
            result = join_segments(done, source, tmp, rotation=rotation, rate=self.rate)
        self.work.remove()
        return result

    def abort(self) -> None:
        self.segments.abort()
        if not self.work.segments():
            self.work.remove()  # nothing to resume from


class PngSequence:
    """Every frame as ``NNNNNN.png`` (its index) in a folder, renamed into place when complete."""


    def __init__(self, output: Path, key: dict[str, Any], encode: EncodeSettings, rate: Fraction,
                 segment_frames: int) -> None:
        self.output = output
        self.tmp = partial_path(output)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self.resumed_frames = 0
        self.reused_segments = 0
        self.count = 0

    def write(self, frame: Frame) -> None:
        write_png(self.tmp / f"{frame.index:06d}.png", frame_rgb(frame))
        self.count += 1

    def finish(self, source: Path, rotation: int) -> JoinResult | None:
        if not self.count:
            self.abort()
            return None
        if self.output.exists():
            shutil.rmtree(self.output)
        os.replace(self.tmp, self.output)
        return JoinResult(notes=["no sound: a PNG sequence holds pictures only"])

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


WRITERS: dict[str, type] = {"h264": H264Segments, "png": PngSequence}


def get_writer(name: str) -> type:
    """The writer class for an output format name."""
    return WRITERS[name]
