"""Encoding in segments, so a long run killed at 1:40 resumes at 1:40.

Frames are encoded into numbered segment files (MP4: exact time bases, DTS) in a
work folder beside the output. Each segment starts with a new encoder, hence
on a keyframe, and becomes final only when renamed from its temporary name, so
a segment on disk is always complete. A run that finds finished segments for
the same input and settings skips their frames and starts the next segment.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from .encode import EncodeSettings, FieldFlags, add_video_stream, to_video_frame
from .frames import Frame

log = logging.getLogger(__name__)
STATE = "state.json"


def exact_mp4_options(time_base: Fraction) -> dict[str, str]:
    """MP4/MOV muxer options that keep a film's timestamps exact.

    A track that starts later than 0 (every segment but the first, or a film whose first
    frame is at 1.4 s) gets an edit list, and its offset is written in the movie's
    timescale, 1/1000 s by default: the start moved by up to half a millisecond. In the
    track's own timescale it is exact.
    """
    return {"movie_timescale": str(time_base.denominator)}


def segment_name(n: int) -> str:
    return f"seg-{n:05d}.mp4"


@dataclass
class WorkDir:
    """The folder of one output's finished segments, tied to an input and settings."""

    path: Path
    key: dict[str, Any]

    @classmethod
    def for_output(cls, output: Path, key: dict[str, Any]) -> WorkDir:
        return cls(output.with_name(f".{output.name}.vidcolor-work"), key)

    def prepare(self) -> int:
        """Number of finished segments that can be reused (0 after a change of input or settings)."""
        state_path = self.path / STATE
        if state_path.exists():
            try:
                state = json.loads(state_path.read_text())
            except (OSError, ValueError):
                state = {}
            if state.get("key") == self.key:
                n = 0
                while (self.path / segment_name(n)).exists():
                    n += 1
                return n
            log.info("%s: input or settings changed; earlier segments discarded", self.path)
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        tmp = state_path.with_suffix(".partial")
        tmp.write_text(json.dumps({"key": self.key}, indent=1))
        os.replace(tmp, state_path)
        return 0

    def segments(self) -> list[Path]:
        out, n = [], 0
        while (self.path / segment_name(n)).exists():
            out.append(self.path / segment_name(n))
            n += 1
        return out

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class SegmentWriter:
    """Encodes frames into segments of ``segment_frames`` frames, numbered from ``first_segment``."""

    def __init__(self, work: WorkDir, settings: EncodeSettings, rate: Fraction, segment_frames: int,
                 first_segment: int = 0) -> None:
        self.work, self.settings, self.rate = work, settings, rate
        self.segment_frames = segment_frames
        self.number = first_segment
        self.container: av.container.OutputContainer | None = None
        self.stream: av.video.stream.VideoStream | None = None
        self.count = 0
        self.frames_written = 0
        self.first: Frame | None = None
        self.field_flags: FieldFlags | None = None

    def _tmp(self) -> Path:
        return self.work.path / (segment_name(self.number) + ".partial")

    def write(self, frame: Frame) -> None:
        if self.first is None:
            self.first = frame
        elif frame.y.shape != self.first.y.shape:
            from .color import resize

            log.warning("frame %d changes size; scaled to the first frame's", frame.index)
            frame.y = resize(frame.y, self.first.y.shape[1], self.first.y.shape[0])
        if self.container is None:
            self.container = av.open(str(self._tmp()), "w", format="mp4",
                                     options=exact_mp4_options(frame.time_base))
            self.stream = add_video_stream(self.container, frame, self.settings, self.rate)
            self.field_flags = FieldFlags(frame.fields) if frame.fields else None
        picture = frame.picture if frame.picture is not None else to_video_frame(frame, self.stream.pix_fmt)
        frame.picture = None  # the frame may live on (a preview); its encoded copy need not
        if self.field_flags is not None:
            picture = self.field_flags(picture)
        self.container.mux(self.stream.encode(picture))
        self.count += 1
        self.frames_written += 1
        if self.count == self.segment_frames:
            self.finish_segment()

    def finish_segment(self) -> None:
        """Flush the encoder, close, and make the segment final by renaming it."""
        if self.container is None:
            return
        self.container.mux(self.stream.encode(None))
        self.container.close()
        os.replace(self._tmp(), self.work.path / segment_name(self.number))
        self.container, self.stream, self.count = None, None, 0
        self.number += 1

    def abort(self) -> None:
        if self.container is not None:
            with contextlib.suppress(Exception):  # the partial segment is thrown away
                self.container.close()
            self._tmp().unlink(missing_ok=True)
            self.container = None
