"""Small real media files made with PyAV inside the tests."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from skimage import data


def scene(width: int, height: int, t: int, image: str = "astronaut") -> np.ndarray:
    """An RGB picture panning over a scikit-image photo, frame t."""
    src = getattr(data, image)()
    if src.ndim == 2:
        src = np.dstack([src] * 3)
    src = src[..., :3]
    import cv2

    scale = max(width / src.shape[1], height / src.shape[0]) * 1.3
    big = cv2.resize(src, (int(src.shape[1] * scale) + 2, int(src.shape[0] * scale) + 2), interpolation=cv2.INTER_AREA)
    x = min(t * 2, big.shape[1] - width)
    y = min(t, big.shape[0] - height)
    return np.ascontiguousarray(big[y: y + height, x: x + width])


SUBTITLES = "1\n00:00:00,100 --> 00:00:00,400\nA horse, 1878.\n\n2\n00:00:00,500 --> 00:00:00,800\nIn motion.\n\n"


def subtitle_packets(out: av.container.OutputContainer, srt: Path) -> list[av.Packet]:
    """A subtitle stream in ``out`` (added before anything is muxed) and the cues of a small
    SubRip file as its packets, to mux later."""
    srt.write_text(SUBTITLES)
    with av.open(str(srt)) as src:
        stream = out.add_stream_from_template(src.streams.subtitles[0])
        packets = [p for p in src.demux(src.streams.subtitles[0]) if p.dts is not None]
    srt.unlink()
    for p in packets:
        p.stream = stream
    return packets


def make_video(path: Path, frames: int = 12, width: int = 64, height: int = 48, rate: int = 12,
               pix_fmt: str = "yuv420p", codec: str = "libx264", audio: bool = True,
               vfr: bool = False, rotation: int = 0, gray: bool = True, image: str = "astronaut",
               audio_codec: str = "aac", subtitles: bool = False) -> Path:
    """Write a clip; gray=True makes it black and white (as films to colorize are)."""
    with av.open(str(path), "w") as out:
        vs = out.add_stream(codec, rate=rate)
        vs.width, vs.height, vs.pix_fmt = width, height, pix_fmt
        tb = Fraction(1, rate * 100)
        vs.codec_context.time_base = tb
        if codec == "libx264":
            vs.options = {"preset": "ultrafast", "crf": "20"}
        if rotation:
            vs.set_display_rotation(rotation)
        streams = [vs]
        if audio:
            a = out.add_stream(audio_codec, rate=48000 if audio_codec == "libopus" else 16000, layout="mono")
            streams.append(a)
        cues = subtitle_packets(out, path.with_suffix(".srt")) if subtitles else []
        pts = 0
        for i in range(frames):
            rgb = scene(width, height, i, image)
            if gray:
                g = (rgb @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
                rgb = np.dstack([g] * 3)
            f = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=pix_fmt)
            f.pts, f.time_base = pts, tb
            pts += 100 if not vfr else (100 if i % 3 else 250)
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
        for p in cues:
            out.mux(p)
        if audio:
            write_tone(out, a, pts / (rate * 100), 440.0, 0.3)
    return path


def write_tone(out: av.container.OutputContainer, stream: av.audio.stream.AudioStream, seconds: float,
               freq: float, amplitude: float) -> None:
    """A sine tone of ``seconds`` on an audio stream, in its sample format and channel layout."""
    sr, fmt = stream.codec_context.sample_rate, stream.codec_context.format.name
    channels = len(stream.codec_context.layout.channels)
    total = int(sr * seconds)
    wave = (amplitude * np.sin(2 * np.pi * freq * np.arange(total) / sr)).astype(np.float32)
    if fmt.startswith("s16"):
        wave = (wave * 32767).astype(np.int16)
    elif fmt.startswith("s32"):
        wave = (wave * 2**31).astype(np.int32)
    size = stream.codec_context.frame_size or 1024
    for start in range(0, total, size):
        chunk = np.tile(wave[start: start + size], (channels, 1))
        if not fmt.endswith("p"):  # packed: channels interleaved in one plane
            chunk = chunk.T.reshape(1, -1)
        af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format=fmt, layout=stream.codec_context.layout)
        af.sample_rate, af.pts, af.time_base = sr, start, Fraction(1, sr)
        for p in stream.encode(af):
            out.mux(p)
    for p in stream.encode(None):
        out.mux(p)


def video_facts(path: Path) -> dict:
    """Reopen a file: frame pts (in seconds), luma planes, all planes (8-bit YUV), audio packet hashes."""
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        times, lumas, yuvs, rotation, fmts = [], [], [], None, set()
        audio = []
        subtitles = []
        for packet in c.demux():
            if packet.stream.type == "audio" and packet.size:
                audio.append((hashlib.sha256(bytes(packet)).hexdigest(),
                              float(packet.pts * packet.time_base)))
            if packet.stream.type == "subtitle" and packet.size:
                subtitles.append((bytes(packet), float(packet.pts * packet.time_base)))
            if packet.stream.type == "video":
                for f in packet.decode():
                    times.append(float(f.pts * f.time_base))
                    lumas.append(f.to_ndarray(format="gray"))
                    yuvs.append(f.to_ndarray() if f.format.name in ("yuv420p", "yuv444p") else None)
                    rgb = f.to_ndarray(format="rgb24")
                    fmts.add(f.format.name)
                    rotation = f.rotation
                    last_rgb = rgb
        return {"times": sorted(times), "luma": lumas, "yuv": yuvs, "audio": audio, "subtitles": subtitles,
                "rotation": rotation,
                "width": vs.codec_context.width, "height": vs.codec_context.height,
                "last_rgb": last_rgb, "formats": fmts, "rate": vs.average_rate}


def make_damaged(path: Path, frames: int = 12, bad: int = 5) -> Path:
    """An MPEG-4 clip whose packet ``bad`` is replaced by garbage (same timing)."""
    good = make_video(path.with_name("undamaged-" + path.name), frames=frames, codec="mpeg4", audio=False)
    rng = np.random.default_rng(0)
    with av.open(str(good)) as src, av.open(str(path), "w") as out:
        stream = out.add_stream_from_template(src.streams.video[0])
        for n, p in enumerate(src.demux(src.streams.video[0])):
            if p.dts is None:
                continue
            if n == bad:
                raw = bytes(p)
                noise = rng.integers(0, 256, len(raw) - 4, dtype=np.uint8).tobytes()
                q = av.Packet(bytes([raw[0] ^ 0xFF]) + raw[1:4] + noise)
                q.pts, q.dts, q.time_base = p.pts, p.dts, p.time_base
                p = q
            p.stream = stream
            out.mux(p)
    good.unlink()
    return path


def make_unsupported_codec(path: Path) -> Path:
    """An AVI whose video fourcc no decoder knows."""
    src = make_video(path.with_name("src-" + path.name), frames=4, codec="mpeg4", audio=False)
    path.write_bytes(src.read_bytes().replace(b"FMP4", b"ZZZZ"))
    src.unlink()
    return path


def make_audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=16000, layout="mono")
        f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        f.sample_rate, f.pts = 16000, 0
        c.mux(s.encode(f))
        c.mux(s.encode(None))
    return path


def make_zero_frames(path: Path) -> Path:
    """A container with a video stream that holds no frame."""
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=12)
        s.width, s.height, s.pix_fmt = 32, 32, "yuv420p"
        c.start_encoding()
    return path


def truncated_copy(src: Path, dst: Path, fraction: float) -> Path:
    data_ = src.read_bytes()
    dst.write_bytes(data_[: int(len(data_) * fraction)])
    return dst


def _field_flags(frames: list[av.VideoFrame], order: str) -> list[av.VideoFrame]:
    """Frames flagged interlaced with a field order (PyAV frames cannot set it themselves)."""
    graph = av.filter.Graph()
    src = graph.add_buffer(template=None, width=frames[0].width, height=frames[0].height,
                           format=frames[0].format.name, time_base=frames[0].time_base)
    setfield = graph.add("setfield", order)
    sink = graph.add("buffersink")
    src.link_to(setfield)
    setfield.link_to(sink)
    graph.configure()
    out = []
    for f in frames:
        graph.push(f)
        out.append(graph.pull())
    return out


# The eleven kinds of archive file of issue 17: (suffix, video codec, pix_fmt, size, rate, SAR, audio codecs,
# audio rate, audio layout, interlaced field order).
ARCHIVE_KINDS = {
    "prores-pcm": (".mov", "prores_ks", "yuv422p10le", (96, 64), Fraction(24), None, ["pcm_s16le"], 48000, "stereo",
                   None),
    "mpeg2-mp2": (".ts", "mpeg2video", "yuv420p", (96, 64), Fraction(25), None, ["mp2"], 48000, "stereo", None),
    "dv-pal": (".dv", "dvvideo", "yuv420p", (720, 576), Fraction(25), None, ["pcm_s16le"], 48000, "stereo", None),
    "dv-ntsc-pcm": (".avi", "dvvideo", "yuv411p", (720, 480), Fraction(30000, 1001), None, ["pcm_s16le"], 48000,
                    "stereo", None),
    "mjpeg-pcm": (".avi", "mjpeg", "yuvj422p", (96, 64), Fraction(24), None, ["pcm_s16le"], 44100, "stereo", None),
    "vp9-opus": (".webm", "libvpx-vp9", "yuv420p", (96, 64), Fraction(24), None, ["libopus"], 48000, "stereo", None),
    "ffv1-gray16-flac": (".mkv", "ffv1", "gray16le", (96, 64), Fraction(24), None, ["flac"], 48000, "mono", None),
    "h264-two-aac": (".mkv", "libx264", "yuv420p", (96, 64), Fraction(24), None, ["aac", "aac"], 48000, "stereo", None),
    "ntsc-2997": (".mp4", "libx264", "yuv420p", (96, 64), Fraction(30000, 1001), None, ["aac"], 48000, "stereo", None),
    "anamorphic": (".mp4", "libx264", "yuv420p", (720, 576), Fraction(25), Fraction(64, 45), ["aac"], 48000, "stereo",
                   None),
    "interlaced-tff": (".ts", "mpeg2video", "yuv420p", (720, 576), Fraction(25), None, ["mp2"], 48000, "stereo", "tff"),
}


def make_archive_file(folder: Path, kind: str, frames: int = 10) -> Path:
    """One archive file of a kind in ``ARCHIVE_KINDS``: gray pictures in motion, real sound."""
    suffix, codec, pix_fmt, (w, h), rate, sar, audio_codecs, sr, layout, fields = ARCHIVE_KINDS[kind]
    path = folder / f"{kind}{suffix}"
    with av.open(str(path), "w") as out:
        vs = out.add_stream(codec, rate=rate)
        vs.width, vs.height, vs.pix_fmt = w, h, pix_fmt
        vs.codec_context.time_base = 1 / rate
        if sar:
            vs.codec_context.sample_aspect_ratio = sar
        if codec == "libx264":
            vs.options = {"preset": "ultrafast"}
        if fields:
            vs.codec_context.flags |= av.codec.context.Flags.interlaced_dct | av.codec.context.Flags.interlaced_me
        audios = [out.add_stream(c, rate=sr, layout=layout) for c in audio_codecs]
        pictures = []
        for i in range(frames):
            rgb = scene(w, h, i)
            g = (rgb @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
            f = av.VideoFrame.from_ndarray(np.dstack([g] * 3), format="rgb24").reformat(format=pix_fmt)
            f.pts, f.time_base = i, 1 / rate
            pictures.append(f)
        if fields:
            pictures = _field_flags(pictures, fields)
        for f in pictures:
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
        for n, a in enumerate(audios):
            write_tone(out, a, frames / rate, 330.0 + 110 * n, 0.2)
    return path
