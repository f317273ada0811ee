"""Joining the segments into the final file, with the original audio and subtitles.

Video packets are stream-copied from the segments, audio and subtitle packets
from the input, all untouched (``add_stream_from_template``), merged in time
order so the file is well interleaved. Nothing is re-encoded here.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av

from .probe import open_input
from .segments import exact_mp4_options

log = logging.getLogger(__name__)


def _video_packets(segments: list[Path]) -> Iterator[av.Packet]:
    for seg in segments:
        with av.open(str(seg)) as c:
            for packet in c.demux(c.streams.video[0]):
                if packet.size and packet.dts is not None:
                    yield packet


def _copied_packets(container: av.container.InputContainer, indices: set[int]) -> Iterator[av.Packet]:
    streams = [s for s in container.streams if s.index in indices]
    if not streams:
        return
    try:
        for packet in container.demux(*streams):
            if packet.dts is not None and packet.size:
                yield packet
    except av.error.FFmpegError as exc:  # a truncated input: keep what could be read
        log.warning("%s: stopped copying audio early: %s", container.name, exc.strerror or exc)


def _keyed(packets: Iterator[av.Packet], order: int) -> Iterator[tuple[float, int, int, av.Packet]]:
    for n, p in enumerate(packets):
        yield float(p.dts * p.time_base), order, n, p


MP4_FAMILY = (".mp4", ".m4v", ".mov", ".3gp")
DROPPED_TAGS = ("encoder", "major_brand", "minor_version", "compatible_brands")


@dataclass
class JoinResult:
    """What the join copied, and what of the input it could not keep."""

    packets_copied: int = 0
    notes: list[str] = field(default_factory=list)


def container_options(output: Path, segment: av.container.InputContainer) -> dict[str, str]:
    """Muxer options for the final file: exact edit lists in MP4/MOV (see ``exact_mp4_options``)."""
    if output.suffix.lower() in MP4_FAMILY:
        return exact_mp4_options(segment.streams.video[0].time_base)
    return {}


def timecode_of(src: av.container.InputContainer) -> str | None:
    """A film's start timecode: the container's tag, or a MOV/MXF timecode track's."""
    for holder in (src, *src.streams.data, *src.streams.video):
        if holder.metadata.get("timecode"):
            return holder.metadata["timecode"]
    return None


def join_segments(segments: list[Path], source: Path, output: Path, rotation: int = 0,
                  format_name: str | None = None, rate: Fraction | None = None) -> JoinResult:
    """Write ``output`` from the segments' video and the source's other streams; packets copied.

    The container's tags (title, creation time...), the start timecode and the chapters go
    along where the output container takes them; what it does not is said in the result's notes.
    """
    result = JoinResult()
    with open_input(source) as src, av.open(str(segments[0])) as first, \
            av.open(str(output), "w", format=format_name, options=container_options(output, first)) as out:
        out.metadata.update({k: v for k, v in src.metadata.items() if k.lower() not in (*DROPPED_TAGS, "timecode")})
        # the frame rate, too: MOV/MP4 need it to write a timecode track (FFmpeg takes it from the stream)
        video = out.add_stream_from_template(first.streams.video[0], **({"rate": rate} if rate else {}))
        if rotation:
            video.set_display_rotation(rotation)
        timecode = timecode_of(src)
        if timecode:
            out.metadata["timecode"] = timecode
        chapters = src.chapters()
        if chapters:
            out.set_chapters(chapters)
        supported = set(out.supported_codecs)
        mapping = {}
        for s in (*src.streams.audio, *src.streams.subtitles):
            name = s.codec_context.name if s.codec_context else None
            if supported and name not in supported:
                result.notes.append(f"stream #{s.index} ({name}) left out: {output.suffix} cannot hold it")
                continue
            try:
                o = out.add_stream_from_template(s)
            except (av.error.FFmpegError, ValueError) as exc:
                result.notes.append(f"stream #{s.index} ({name}) left out: {exc}")
                continue
            o.metadata.update(s.metadata)
            mapping[s.index] = o
        last_dts = None
        merged = heapq.merge(_keyed(_video_packets(segments), 0), _keyed(_copied_packets(src, set(mapping)), 1))
        for _, order, _, packet in merged:
            if order == 0:
                if last_dts is not None and packet.dts <= last_dts:  # segment seams: keep dts increasing
                    packet.dts = last_dts + 1
                last_dts = packet.dts
                packet.stream = video
            else:
                packet.stream = mapping[packet.stream.index]
                result.packets_copied += 1
            out.mux(packet)
    for note in result.notes:
        log.warning("%s: %s", output, note)
    return result
