"""Deinterlacing on request (``--deinterlace``): FFmpeg's bwdif through PyAV's filter graph.

Interlaced pictures come out progressive, one per input frame (bwdif's send_frame mode), each
with its own timestamp; progressive pictures pass through unchanged (bwdif's deint=interlaced).
By default vidcolor keeps interlaced film interlaced instead (pipeline.fields).
"""

from __future__ import annotations

from collections.abc import Iterator

import av


class Deinterlacer:
    """Push decoded frames in order, take progressive ones out; ``flush`` at the end."""

    def __init__(self, stream: av.video.stream.VideoStream) -> None:
        self.stream = stream
        self.graph: av.filter.Graph | None = None
        self.time_base = stream.time_base
        self.deinterlaced = 0

    def _build(self, frame: av.VideoFrame) -> av.filter.Graph:
        graph = av.filter.Graph()
        self.time_base = frame.time_base or self.stream.time_base
        src = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                               time_base=self.time_base)
        bwdif = graph.add("bwdif", "mode=send_frame:parity=auto:deint=interlaced")
        sink = graph.add("buffersink")
        src.link_to(bwdif)
        bwdif.link_to(sink)
        graph.configure()
        return graph

    def push(self, frame: av.VideoFrame) -> Iterator[av.VideoFrame]:
        if self.graph is None:
            self.graph = self._build(frame)
        self.deinterlaced += bool(frame.interlaced_frame)
        self.graph.push(frame)
        yield from self._pull()

    def flush(self) -> Iterator[av.VideoFrame]:
        if self.graph is None:
            return
        self.graph.push(None)
        yield from self._pull()

    def _pull(self) -> Iterator[av.VideoFrame]:
        while True:
            try:
                frame = self.graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            if frame.pts is not None and frame.time_base and frame.time_base != self.time_base:
                # bwdif counts in half the input's time base (it can make two frames of one): back to the input's
                frame.pts = round(frame.pts * frame.time_base / self.time_base)
                frame.time_base = self.time_base
            yield frame
