"""Encoding with PyAV: H.264 frames that carry the original luma and timestamps."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import cv2
import numpy as np

from .color import ChromaSpec, lab_to_rgb, luma_to_L_at, resize, rgb_to_chroma
from .frames import Frame, field_rows

log = logging.getLogger(__name__)

COLORSPACE = {"bt601": 6, "bt709": 1}  # AVCOL_SPC_SMPTE170M, AVCOL_SPC_BT709
RANGE = {False: 1, True: 2}  # AVCOL_RANGE_MPEG, AVCOL_RANGE_JPEG
FIELD_ORDER = {"tff": 2, "bff": 3}  # AV_FIELD_TT, AV_FIELD_BB


@dataclass(frozen=True)
class EncodeSettings:
    """How the video is encoded."""

    crf: int = 18
    # "faster", not x264's "medium": on real archive footage it is as good at the same crf (Muybridge
    # reel: 47.96 vs 47.98 dB luma, 4% larger) for 60% of the CPU, which on a 2-core machine is what
    # lets the pipeline hide the encoder behind the model (README, "Speed and memory")
    preset: str = "faster"
    codec: str = "libx264"
    threads: int = 0  # encoder threads; 0: the encoder's own (a run picks 1 beside a CPU model: Execution)


def _chroma(y: np.ndarray, ab: np.ndarray, width: int, height: int, spec: ChromaSpec) -> tuple[np.ndarray, ...]:
    L = luma_to_L_at(y, spec.full_range, width, height)
    a, b = cv2.split(resize(ab, width, height))
    return rgb_to_chroma(lab_to_rgb(cv2.merge([L, a, b])), spec)


def chroma_planes(frame: Frame, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Cb, Cr at the chroma plane size from the frame's gray and its render-size ab.

    An interlaced frame's two fields each get their own chroma rows (interlaced 4:2:0 alternates
    fields line by line in the chroma planes too), from their own luma and prediction.
    """
    spec = ChromaSpec(frame.matrix, frame.full_range)
    if frame.field_ab is None:
        return _chroma(frame.y, frame.ab, width, height, spec)
    cb, cr = np.empty((height, width), np.uint8), np.empty((height, width), np.uint8)
    for k, ab in enumerate(frame.field_ab):
        rows = field_rows(frame.fields, k)
        cb[rows], cr[rows] = _chroma(frame.y[rows], ab, width, len(range(height)[rows]), spec)
    return cb, cr


def to_video_frame(frame: Frame, pix_fmt: str) -> av.VideoFrame:
    """A new YUV frame: the decoded luma untouched, chroma from the colorization."""
    h, w = frame.y.shape
    out = av.VideoFrame(w, h, pix_fmt)
    cw, ch = out.planes[1].width, out.planes[1].height
    cb, cr = chroma_planes(frame, cw, ch)
    for plane, data in zip(out.planes, (frame.y, cb, cr)):
        rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)  # writable view, padded rows
        rows[: plane.height, : plane.width] = data
    out.pts = frame.pts
    out.time_base = frame.time_base
    out.color_range = RANGE[frame.full_range]
    out.colorspace = COLORSPACE[frame.matrix]
    return out


def add_video_stream(container: av.container.OutputContainer, first: Frame, settings: EncodeSettings,
                     rate: Fraction) -> av.video.stream.VideoStream:
    """The H.264 stream for frames like ``first``: its size, time base, color tags, pixel aspect, rotation
    and field order."""
    h, w = first.y.shape
    vs = container.add_stream(settings.codec, rate=rate)
    vs.width, vs.height = w, h
    vs.pix_fmt = pix_fmt_for(w, h)
    vs.time_base = first.time_base
    vs.codec_context.time_base = first.time_base
    vs.codec_context.framerate = rate
    vs.codec_context.colorspace = COLORSPACE[first.matrix]
    vs.codec_context.color_range = RANGE[first.full_range]
    vs.codec_context.color_primaries = first.primaries
    vs.codec_context.color_trc = first.transfer
    if first.sar:
        vs.codec_context.sample_aspect_ratio = first.sar
    if first.fields:  # interlaced in, interlaced out, same field order
        vs.codec_context.flags |= av.codec.context.Flags.interlaced_dct | av.codec.context.Flags.interlaced_me
        vs.codec_context.field_order = FIELD_ORDER[first.fields]
    vs.options = {"crf": str(settings.crf), "preset": settings.preset, "threads": str(settings.threads)}
    vs.thread_type = "AUTO"
    if first.rotation:
        vs.set_display_rotation(first.rotation)
    return vs


def with_pictures(frames: Iterable[Frame]) -> Iterator[Frame]:
    """Make each frame's YUV picture for the encoder ahead, in the thread that runs this (the full-size
    chroma work then overlaps the encoder instead of waiting in front of it)."""
    for frame in frames:
        h, w = frame.y.shape
        frame.picture = to_video_frame(frame, pix_fmt_for(w, h))
        yield frame


def pix_fmt_for(width: int, height: int) -> str:
    """4:2:0 where the size allows it; 4:4:4 for odd sizes, so every pixel is kept."""
    return "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"


def frame_rgb(frame: Frame) -> np.ndarray:
    """Full-resolution RGB of a colorized frame, as the encoder writes it (4:4:4, so no chroma loss)."""
    h, w = frame.y.shape
    cb, cr = chroma_planes(frame, w, h)
    yuv = av.VideoFrame.from_ndarray(np.stack([frame.y, cb, cr]), format="yuv444p")
    yuv.color_range = RANGE[frame.full_range]
    yuv.colorspace = COLORSPACE[frame.matrix]
    return yuv.to_ndarray(format="rgb24")


class FieldFlags:
    """Marks frames interlaced with a field order, for the encoder (PyAV frames cannot say it themselves):
    FFmpeg's setfield filter, one frame in, the same frame out."""

    def __init__(self, fields: str) -> None:
        self.fields = fields
        self.graph: av.filter.Graph | None = None

    def __call__(self, frame: av.VideoFrame) -> av.VideoFrame:
        if self.graph is None:
            self.graph = av.filter.Graph()
            src = self.graph.add_buffer(width=frame.width, height=frame.height, format=frame.format.name,
                                        time_base=frame.time_base)
            setfield = self.graph.add("setfield", self.fields)
            sink = self.graph.add("buffersink")
            src.link_to(setfield)
            setfield.link_to(sink)
            self.graph.configure()
        self.graph.push(frame)
        return self.graph.pull()
