"""Encoding with PyAV: H.264 video with the original luma and timestamps, and
every audio (and, where the container allows, subtitle) packet copied as-is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .color import ChromaSpec, gray_to_L, lab_to_rgb, luma_to_gray, resize, rgb_to_chroma
from .frames import Frame, Passthrough
from .probe import open_input

log = logging.getLogger(__name__)

# Extension -> FFmpeg muxer, for outputs whose container can carry H.264 with its
# timestamps. AVI is left out on purpose: it stores no presentation times, so
# B-frames and variable frame rates cannot be kept; AVI inputs become .mp4.
H264_CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".flv": "flv",
                   ".3gp": "3gp"}
COLORSPACE = {"bt601": 6, "bt709": 1}  # AVCOL_SPC_SMPTE170M, AVCOL_SPC_BT709
RANGE = {False: 1, True: 2}  # AVCOL_RANGE_MPEG, AVCOL_RANGE_JPEG


@dataclass(frozen=True)
class EncodeSettings:
    """How the video is encoded."""

    crf: int = 18
    preset: str = "medium"
    codec: str = "libx264"


def muxer_codecs(format_name: str) -> set[str]:
    """Codecs a muxer can hold (empty if PyAV cannot tell)."""
    import io

    try:
        with av.open(io.BytesIO(), "w", format=format_name) as probe:
            return set(probe.supported_codecs)
    except (av.error.FFmpegError, ValueError):
        return set()


def output_suffix(input_path: Path, copy_codecs: list[str]) -> str:
    """The input's container when it can hold H.264 and the copied streams, else .mp4, else .mkv."""
    suffix = input_path.suffix.lower()
    if suffix in H264_CONTAINERS and set(copy_codecs) <= muxer_codecs(H264_CONTAINERS[suffix]):
        return suffix
    if set(copy_codecs) <= muxer_codecs("mp4"):
        return ".mp4"
    return ".mkv"


def chroma_planes(frame: Frame, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Cb, Cr at the chroma plane size from the frame's gray and its render-size ab."""
    gray = resize(luma_to_gray(frame.y, frame.full_range), width, height)
    ab = resize(frame.ab, width, height)
    rgb = lab_to_rgb(np.dstack([gray_to_L(gray), ab]))
    return rgb_to_chroma(rgb, ChromaSpec(frame.matrix, frame.full_range))


def to_video_frame(frame: Frame, pix_fmt: str) -> av.VideoFrame:
    """A new YUV frame: the decoded luma untouched, chroma from the colorization."""
    h, w = frame.y.shape
    if pix_fmt == "yuv420p":
        cb, cr = chroma_planes(frame, w // 2, h // 2)
        out = av.VideoFrame.from_ndarray(np.concatenate([frame.y, cb.reshape(-1, w), cr.reshape(-1, w)]),
                                         format="yuv420p")
    else:
        cb, cr = chroma_planes(frame, w, h)
        out = av.VideoFrame.from_ndarray(np.stack([frame.y, cb, cr]), format="yuv444p")
    out.pts = frame.pts
    out.time_base = frame.time_base
    out.color_range = RANGE[frame.full_range]
    out.colorspace = COLORSPACE[frame.matrix]
    return out


class VideoSink:
    """Writes frames and copied packets into one output file."""

    def __init__(self, path: Path, source_path: Path, settings: EncodeSettings,
                 rate: Fraction | None, format_name: str | None = None) -> None:
        self.path, self.settings = path, settings
        self.source = open_input(source_path)  # a second, read-only handle: stream templates
        self.rate = rate or Fraction(25)
        self.container = av.open(str(path), mode="w", format=format_name)
        self.container.metadata.update({k: v for k, v in self.source.metadata.items()
                                        if k.lower() not in ("encoder", "major_brand", "minor_version",
                                                             "compatible_brands")})
        self.video: av.video.stream.VideoStream | None = None
        self.copied: dict[int, av.stream.Stream] = {}
        self.waiting: list[Passthrough] = []
        self.frames_written = 0
        self.packets_copied = 0

    def _open_streams(self, first: Frame) -> None:
        """Streams are added at the first frame, when size and rotation are known."""
        h, w = first.y.shape
        self.pix_fmt = "yuv420p" if w % 2 == 0 and h % 2 == 0 else "yuv444p"
        if self.pix_fmt != "yuv420p":
            log.warning("%s: odd picture size %dx%d, encoding 4:4:4 to keep every pixel", self.path, w, h)
        vs = self.container.add_stream(self.settings.codec, rate=self.rate)
        vs.width, vs.height = w, h
        vs.pix_fmt = self.pix_fmt
        vs.time_base = first.time_base
        vs.codec_context.time_base = first.time_base
        vs.codec_context.framerate = self.rate
        vs.codec_context.colorspace = COLORSPACE[first.matrix]
        vs.codec_context.color_range = RANGE[first.full_range]
        vs.options = {"crf": str(self.settings.crf), "preset": self.settings.preset}
        vs.thread_type = "AUTO"
        if first.rotation:
            vs.set_display_rotation(first.rotation)
        self.video = vs
        supported = set(self.container.supported_codecs)
        for s in (*self.source.streams.audio, *self.source.streams.subtitles):
            name = s.codec_context.name if s.codec_context else None
            if supported and name not in supported:
                log.warning("%s: stream #%d (%s) cannot go into this container; left out", self.path, s.index, name)
                continue
            try:
                out = self.container.add_stream_from_template(s)
            except (av.error.FFmpegError, ValueError) as exc:
                log.warning("%s: stream #%d (%s) not copied: %s", self.path, s.index, name, exc)
                continue
            out.metadata.update(s.metadata)
            self.copied[s.index] = out
        for item in self.waiting:
            self._mux_copy(item)
        self.waiting.clear()

    def _mux_copy(self, item: Passthrough) -> None:
        out = self.copied.get(item.stream_index)
        if out is not None:
            item.packet.stream = out
            self.container.mux(item.packet)
            self.packets_copied += 1

    def write(self, item: Frame | Passthrough) -> None:
        if isinstance(item, Passthrough):
            if self.video is None:
                self.waiting.append(item)
            else:
                self._mux_copy(item)
            return
        if self.video is None:
            self._open_streams(item)
        if item.y.shape != (self.video.height, self.video.width):
            log.warning("%s: frame %d changes size; scaled to the first frame's", self.path, item.index)
            item.y = resize(item.y, self.video.width, self.video.height)
        self.container.mux(self.video.encode(to_video_frame(item, self.pix_fmt)))
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        if self.video is not None:
            self.container.mux(self.video.encode(None))
        self.container.close()
        self.source.close()

    def abort(self) -> None:
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - the file is being thrown away
            pass
        self.source.close()
