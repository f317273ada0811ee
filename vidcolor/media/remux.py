"""Joining the segments into the final file, with the original audio and subtitles.

Video packets are stream-copied from the segments, audio and subtitle packets
from the input, all untouched (``add_stream_from_template``), merged in time
order so the file is well interleaved. Nothing is re-encoded here.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator
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


def container_options(output: Path, segment: av.container.InputContainer) -> dict[str, str]:
    """Muxer options for the final file: exact edit lists in MP4/MOV (see ``exact_mp4_options``)."""
    if output.suffix.lower() in (".mp4", ".m4v", ".mov", ".3gp"):
        return exact_mp4_options(segment.streams.video[0].time_base)
    return {}


def join_segments(segments: list[Path], source: Path, output: Path, rotation: int = 0,
                  format_name: str | None = None) -> int:
    """Write ``output`` from the segments' video and the source's other streams; packets copied."""
    copied = 0
    with open_input(source) as src, av.open(str(segments[0])) as first, \
            av.open(str(output), "w", format=format_name, options=container_options(output, first)) as out:
        out.metadata.update({k: v for k, v in src.metadata.items()
                             if k.lower() not in ("encoder", "major_brand", "minor_version", "compatible_brands")})
        video = out.add_stream_from_template(first.streams.video[0])
        if rotation:
            video.set_display_rotation(rotation)
        supported = set(out.supported_codecs)
        mapping = {}
        for s in (*src.streams.audio, *src.streams.subtitles):
            name = s.codec_context.name if s.codec_context else None
            if supported and name not in supported:
                log.warning("%s: stream #%d (%s) cannot go into this container; left out", output, s.index, name)
                continue
            try:
                o = out.add_stream_from_template(s)
            except (av.error.FFmpegError, ValueError) as exc:
                log.warning("%s: stream #%d (%s) not copied: %s", output, s.index, name, exc)
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
                copied += 1
            out.mux(packet)
    return copied
