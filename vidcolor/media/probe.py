"""What is this file? Open it read-only and say, in one line if it is unusable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from ..errors import VidcolorError

# Demuxers that mean "a still picture" rather than a film.
IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "tiff_pipe", "webp_pipe",
                 "pgm_pipe", "ppm_pipe", "pgmyuv_pipe", "pbm_pipe", "jpegls_pipe", "j2k_pipe",
                 "qoi_pipe", "dpx_pipe", "exr_pipe", "sgi_pipe", "sunrast_pipe", "xbm_pipe",
                 "pam_pipe", "pcx_pipe", "phm_pipe", "pfm_pipe", "pgx_pipe", "photocd_pipe"}


@dataclass(frozen=True)
class MediaInfo:
    """The facts about an input the rest of the pipeline needs."""

    path: Path
    kind: str  # "video" or "image"
    format_name: str
    width: int
    height: int
    codec: str
    frames: int  # container's count, or an estimate from duration (0 if unknown)
    duration: float | None  # seconds
    rate: Fraction | None
    audio_streams: int
    subtitle_streams: int
    sar: Fraction | None = None  # sample (pixel) aspect ratio; None: square


def frame_rate(stream: av.video.stream.VideoStream) -> Fraction | None:
    """The film's frame rate: FFmpeg's guess first, which distrusts an average rate that disagrees
    with the stream's own (a PAL DV file reports an average of 60000 frames/s for its 25)."""
    rate = stream.guessed_rate or stream.average_rate
    return Fraction(rate) if rate else None


def open_input(path: str | Path) -> av.container.InputContainer:
    """Open a media file for reading, turning every failure into a one-line error."""
    path = Path(path)
    if not path.exists():
        raise VidcolorError("no such file", path)
    if path.is_dir():
        raise VidcolorError("is a folder, not a media file", path)
    if not os.access(path, os.R_OK):
        raise VidcolorError("permission denied (cannot read)", path)
    if path.stat().st_size == 0:
        raise VidcolorError("file is empty", path)
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise VidcolorError("not a media file FFmpeg can read (or truncated before its header)", path) from None
    except av.error.EOFError:
        raise VidcolorError("has no video frames: the file ends before its first frame (empty or truncated)",
                            path) from None
    except av.error.FFmpegError as exc:
        raise VidcolorError(f"cannot open: {exc.strerror or exc}", path) from None


def probe(path: str | Path) -> MediaInfo:
    """Describe a file's first video stream; errors say why it cannot be colorized."""
    path = Path(path)
    with open_input(path) as container:
        videos = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
        if not videos:
            if container.streams.audio:
                raise VidcolorError("has no video stream (audio only)", path)
            raise VidcolorError("has no video stream", path)
        stream = videos[0]
        ctx = stream.codec_context
        if ctx is None or ctx.codec is None or not ctx.codec.name:
            raise VidcolorError("unsupported video codec (no decoder for it in this FFmpeg)", path)
        if not ctx.width or not ctx.height:
            raise VidcolorError("video stream has no picture size (damaged header?)", path)
        fmt = container.format.name
        rate = frame_rate(stream)
        duration = None
        if stream.duration is not None and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / av.time_base
        frames = stream.frames or (round(duration * rate) if duration and rate else 0)
        kind = "image" if fmt in IMAGE_FORMATS or (fmt.split(",")[0] in IMAGE_FORMATS) else "video"
        return MediaInfo(
            path=path, kind=kind, format_name=fmt, width=ctx.width, height=ctx.height,
            codec=ctx.codec.name, frames=frames, duration=duration,
            rate=Fraction(rate) if rate else None,
            audio_streams=len(container.streams.audio), subtitle_streams=len(container.streams.subtitles),
            sar=Fraction(ctx.sample_aspect_ratio) if ctx.sample_aspect_ratio and ctx.sample_aspect_ratio != 1 else None,
        )
