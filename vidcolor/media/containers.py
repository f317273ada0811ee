"""Which container an output goes into: one that holds H.264 and every stream copied from the input.

Audio and subtitles are copied untouched, never re-encoded, so the container
must accept their codecs as they are; the choice is made before any work.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import av

from .probe import open_input

# Extension -> FFmpeg muxer, for outputs whose container can carry H.264 with its
# timestamps. AVI is left out on purpose: it stores no presentation times, so
# B-frames and variable frame rates cannot be kept; AVI inputs become .mp4.
H264_CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".flv": "flv",
                   ".3gp": "3gp"}


@cache
def muxer_codecs(format_name: str) -> frozenset[str]:
    """Codecs a muxer can hold (empty if PyAV cannot tell)."""
    try:
        with av.open(io.BytesIO(), "w", format=format_name) as probe:
            return frozenset(probe.supported_codecs)
    except (av.error.FFmpegError, ValueError):
        return frozenset()


def output_suffix(input_path: Path, copy_codecs: list[str]) -> str:
    """The input's container when it can hold H.264 and the copied streams, else .mp4, else .mkv."""
    suffix = input_path.suffix.lower()
    if suffix in H264_CONTAINERS and set(copy_codecs) <= muxer_codecs(H264_CONTAINERS[suffix]):
        return suffix
    if set(copy_codecs) <= muxer_codecs("mp4"):
        return ".mp4"
    return ".mkv"


def copied_codecs(path: Path) -> list[str]:
    """Codec names of the streams that are copied to the output (audio, subtitles)."""
    with open_input(path) as c:
        return [s.codec_context.name for s in (*c.streams.audio, *c.streams.subtitles) if s.codec_context]
