"""Which container an output goes into: one that holds H.264 and every stream copied from the input.

Audio and subtitles are copied untouched, never re-encoded (PCM, FLAC, MP2, AC-3, DV audio...), so
the container must take their codecs as they are. Whether it does is found out by trying, before
any work: a muxer in memory is given an H.264 stream and the input's streams, one real packet of
each, and a trailer. (A muxer's list of codecs is not enough: MP4 lists PCM, then refuses stereo
PCM from an AVI only when it writes its trailer, after the whole film was colorized.)
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

import av
import numpy as np

from ..errors import VidcolorError
from .probe import open_input

log = logging.getLogger(__name__)

# Extension -> FFmpeg muxer, for outputs whose container can carry H.264 with its timestamps.
# AVI is left out on purpose: it stores no presentation times, so B-frames and variable frame
# rates cannot be kept. MPEG-TS too: its muxer shifts every timestamp by its own delay.
H264_CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".3gp": "3gp"}
FALLBACKS = (".mov", ".mkv")  # in this order, when the input's own container cannot be kept


@lru_cache(maxsize=1)
def _h264_sample() -> bytes:
    """A tiny Matroska file holding one encoded H.264 frame, to try muxers with."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="matroska") as out:
        vs = out.add_stream("libx264", rate=25)
        vs.width, vs.height, vs.pix_fmt = 16, 16, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24").reformat(format="yuv420p")
        frame.pts = 0
        for p in [*vs.encode(frame), *vs.encode(None)]:
            out.mux(p)
    return buf.getvalue()


def copied_streams(container: av.container.InputContainer) -> list[av.stream.Stream]:
    """The streams copied into the output: audio and subtitles."""
    return [s for s in (*container.streams.audio, *container.streams.subtitles) if s.codec_context]


def _first_packets(container: av.container.InputContainer, streams: list[av.stream.Stream]) -> list[av.Packet]:
    found: dict[int, av.Packet] = {}
    try:
        for packet in container.demux(*streams):
            if packet.size and packet.dts is not None:
                found.setdefault(packet.stream.index, packet)
            if len(found) == len(streams):
                break
    except av.error.FFmpegError:
        pass  # a damaged input: try with what could be read
    return list(found.values())


def _muxes(format_name: str, source: Path, indices: set[int]) -> bool:
    """Whether the muxer takes H.264 and these streams of ``source``: header, one packet each, trailer."""
    try:
        with av.open(io.BytesIO(_h264_sample())) as sample, open_input(source) as src, \
                av.open(io.BytesIO(), "w", format=format_name) as out:
            streams = [s for s in copied_streams(src) if s.index in indices]
            mapped = {s.index: out.add_stream_from_template(s) for s in streams}
            video = out.add_stream_from_template(sample.streams.video[0])
            for packet in [*_first_packets(sample, [sample.streams.video[0]]), *_first_packets(src, streams)]:
                packet.stream = mapped.get(packet.stream.index, video) if packet.stream.container is src else video
                out.mux(packet)
        return True
    except (av.error.FFmpegError, ValueError) as exc:
        log.debug("%s refuses %s: %s", format_name, source, exc)
        return False


def refused_stream(format_name: str, source: Path) -> str | None:
    """The first copied stream of ``source`` that ``format_name`` will not hold beside H.264, as
    "#1 (audio, pcm_s16le)" (None: all fit)."""
    with open_input(source) as src:
        streams = {s.index: f"#{s.index} ({s.type}, {s.codec_context.name})" for s in copied_streams(src)}
    if _muxes(format_name, source, set(streams)):
        return None
    for index, name in streams.items():  # which one: the message names it
        if not _muxes(format_name, source, {index}):
            return name
    return next(iter(streams.values()), "the video")


def format_for(suffix: str) -> str | None:
    """The muxer an output suffix means, among those that hold H.264 (None: not one of them)."""
    return H264_CONTAINERS.get(suffix.lower())


def output_suffix(input_path: Path) -> str:
    """The input's container when it holds H.264 and every copied stream, else the first of .mov, .mkv that does."""
    own = input_path.suffix.lower()
    for suffix in ((own,) if own in H264_CONTAINERS else ()) + FALLBACKS:
        if refused_stream(H264_CONTAINERS[suffix], input_path) is None:
            return suffix
    return ".mkv"  # Matroska takes nearly anything; what it does not is left out with a warning


def check_output_container(input_path: Path, output: Path) -> None:
    """A container the user named must hold H.264 and the copied streams: one line before any work if not."""
    fmt = format_for(output.suffix)
    if fmt is None:
        known = ", ".join(sorted(set(H264_CONTAINERS)))
        raise VidcolorError(f"cannot write H.264 video with its timestamps into '{output.suffix or output.name}' "
                            f"(use one of {known})", output)
    stream = refused_stream(fmt, input_path)
    if stream is not None:
        fits = [s for s in FALLBACKS if s != output.suffix.lower() and refused_stream(H264_CONTAINERS[s], input_path)
                is None]
        raise VidcolorError(f"{output.suffix} cannot hold stream {stream} copied from {input_path.name}"
                            + (f"; {' or '.join(fits)} can" if fits else ""), output)
