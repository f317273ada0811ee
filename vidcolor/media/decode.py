"""Streaming decode with PyAV: frames one at a time, never the whole film.

Each frame is reduced to what the rest needs: the luma plane the output will
carry (taken as-is from 8-bit YUV, converted once otherwise), its timestamp,
and how its chroma must be written. (Audio is copied later, straight from the
input, when the encoded segments are joined.)

Damaged data: a packet FFmpeg cannot decode is skipped and counted; no frame
is invented for it, and the frames around it keep their own timestamps, so
the picture before it stays on screen for its duration and sound stays in sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import VidcolorError
from .deinterlace import Deinterlacer
from .frames import Frame
from .probe import frame_rate, open_input

log = logging.getLogger(__name__)

PLANAR_YUV8 = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p",
               "yuvj440p", "yuv411p", "yuvj411p", "yuv410p", "nv12", "nv21", "nv16", "nv24", "nv42"}
COLORSPACE_BT709 = 1
RANGE_FULL = 2


def plane_array(plane: av.video.plane.VideoPlane, width: int, height: int, dtype=np.uint8) -> np.ndarray:
    """A copy of a plane's visible pixels (planes are padded to line_size)."""
    itemsize = np.dtype(dtype).itemsize
    buf = np.frombuffer(plane, dtype)
    return buf.reshape(-1, plane.line_size // itemsize)[:height, :width].copy()


def frame_luma(frame: av.VideoFrame) -> tuple[np.ndarray, bool]:
    """The 8-bit luma to keep, and whether it is full range (0..255)."""
    name = frame.format.name
    if name in PLANAR_YUV8:
        full = name.startswith("yuvj") or frame.color_range == RANGE_FULL
        return plane_array(frame.planes[0], frame.width, frame.height), full
    if name.startswith(("yuv", "p0", "p2", "p4")):  # high bit depth YUV: keep its range
        full = frame.color_range == RANGE_FULL
        y8 = frame.reformat(format="yuvj444p" if full else "yuv444p")
        return plane_array(y8.planes[0], frame.width, frame.height), full
    gray = frame.reformat(format="gray")  # RGB, gray, palette ...: full-range gray
    g = plane_array(gray.planes[0], frame.width, frame.height).astype(np.float32)
    return (16.0 + g * (219.0 / 255.0) + 0.5).astype(np.uint8), False


# FFmpeg's field orders (AVFieldOrder) by the field shown first: TT and BT show the top field first.
TOP_FIRST = {2, 5}
BOTTOM_FIRST = {3, 4}


@dataclass(frozen=True)
class StreamLayout:
    """What a stream says of all its pictures: pixel aspect, and the field order of interlaced ones."""

    sar: Fraction | None  # None: square pixels
    field_order: str  # "tff" or "bff": how an interlaced picture of this stream is shown


def stream_layout(stream: av.video.stream.VideoStream) -> StreamLayout:
    """The stream's sample aspect ratio and field order (DV, when unsaid, is bottom field first)."""
    ctx = stream.codec_context
    sar = ctx.sample_aspect_ratio or stream.sample_aspect_ratio
    sar = Fraction(sar) if sar and Fraction(sar) not in (0, 1) else None
    order = ctx.field_order
    if order in TOP_FIRST:
        fields = "tff"
    elif order in BOTTOM_FIRST or ctx.name == "dvvideo":
        fields = "bff"  # SMPTE 314M: DV is bottom field first
    else:
        fields = "tff"  # unsaid: top first, as broadcast MPEG-2 and H.264 nearly always are
    return StreamLayout(sar, fields)


def to_frame(f: av.VideoFrame, index: int, pts: int | None = None, time_base: Fraction | None = None,
             layout: StreamLayout | None = None) -> Frame:
    """The one place a decoded picture becomes a ``Frame``: its luma, range, tags, rotation and fields."""
    y, full = frame_luma(f)
    layout = layout or StreamLayout(None, "tff")
    return Frame(index=index, pts=(f.pts or 0) if pts is None else pts, time_base=time_base or f.time_base, y=y,
                 full_range=full, matrix="bt709" if f.colorspace == COLORSPACE_BT709 else "bt601",
                 rotation=round(f.rotation or 0), sar=layout.sar, primaries=f.color_primaries,
                 transfer=f.color_trc, fields=layout.field_order if f.interlaced_frame else None)


@dataclass
class DecodeStats:
    """What decoding saw: frames out, damaged packets skipped."""

    frames: int = 0
    damaged: int = 0
    rotation: int = 0
    notes: list[str] = field(default_factory=list)


def video_stream(container: av.container.InputContainer, path: Path) -> av.video.stream.VideoStream:
    """The first real video stream (cover art is not a film)."""
    for s in container.streams.video:
        if not s.disposition & av.stream.Disposition.attached_pic:
            return s
    raise VidcolorError("has no video stream" + (" (audio only)" if container.streams.audio else ""), path)


def decode(path: str | Path, stats: DecodeStats | None = None, max_damaged: int = 1000,
           deinterlace: bool = False) -> Iterator[Frame]:
    """Yield the video's frames in presentation order, each with its index.

    ``deinterlace``: interlaced pictures go through FFmpeg's bwdif filter and come out
    progressive, one per frame, with their own timestamps.
    """
    path = Path(path)
    stats = stats if stats is not None else DecodeStats()
    with open_input(path) as container:
        vs = video_stream(container, path)
        vs.thread_type = "AUTO"
        layout = stream_layout(vs)
        bwdif = Deinterlacer(vs) if deinterlace else None
        tb = vs.time_base or Fraction(1, 90000)
        rate = frame_rate(vs) or Fraction(25)
        step = max(1, round(1 / (rate * tb))) if rate else 1
        last_pts: int | None = None

        def next_frame(f: av.VideoFrame) -> Frame:
            nonlocal last_pts
            pts = f.pts if f.pts is not None else (last_pts + step if last_pts is not None else 0)
            if last_pts is not None and pts <= last_pts:
                pts = last_pts + 1  # keep every frame; the encoder needs increasing pts
            last_pts = pts
            if stats.frames == 0:
                stats.rotation = round(f.rotation or 0)
            stats.frames += 1
            return to_frame(f, stats.frames - 1, pts, tb, layout)

        def pictures(decoded: list[av.VideoFrame]) -> Iterator[av.VideoFrame]:
            if bwdif is None:
                yield from decoded
                return
            for f in decoded:
                yield from bwdif.push(f)

        try:
            for packet in container.demux(vs):
                try:
                    decoded = packet.decode()
                except av.error.InvalidDataError as exc:
                    stats.damaged += 1
                    log.warning("%s: damaged video packet skipped (%s)", path, exc.strerror)
                    if stats.damaged > max_damaged:
                        raise VidcolorError(f"more than {max_damaged} damaged video packets", path) from None
                    continue
                for f in pictures(decoded):
                    yield next_frame(f)
        except av.error.FFmpegError as exc:
            # A file cut mid-stream ends here; what decoded so far is kept.
            stats.notes.append(f"stopped reading: {exc.strerror or exc}")
            log.warning("%s: stopped reading early: %s", path, exc.strerror or exc)
        if bwdif is not None:
            for f in bwdif.flush():
                yield next_frame(f)
            if bwdif.deinterlaced:
                stats.notes.append(f"deinterlaced {bwdif.deinterlaced} interlaced frame(s) (bwdif, one frame per "
                                   f"frame, {layout.field_order} field order)")
        if stats.frames == 0:
            raise VidcolorError("video stream has no decodable frames", path)
        expected = container.duration / av.time_base if container.duration else None
        if last_pts is not None and expected:
            seen = float((last_pts - (vs.start_time or 0)) * tb)
            if seen < expected - max(1.0, 3 / float(rate)):
                stats.notes.append(f"ends early: frames up to {seen:.1f} s of {expected:.1f} s (truncated?)")
        if stats.damaged:
            stats.notes.append(f"{stats.damaged} damaged video packet(s) skipped")
