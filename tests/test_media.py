"""The media layer on its own: probing, segments, remux and container choice, on real small files."""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np
import pytest
from media import make_audio_only, make_video, video_facts
from skimage import data

from vidcolor.errors import VidcolorError
from vidcolor.media.containers import output_suffix
from vidcolor.media.decode import decode
from vidcolor.media.encode import EncodeSettings
from vidcolor.media.probe import probe
from vidcolor.media.remux import join_segments
from vidcolor.media.segments import SegmentWriter, WorkDir

FAST = EncodeSettings(preset="ultrafast", threads=1)


def test_probe_describes_a_film_and_a_still(tmp_path):
    film = probe(make_video(tmp_path / "f.mp4", frames=12, width=64, height=48, rate=12))
    assert (film.kind, film.width, film.height, film.codec) == ("video", 64, 48, "h264")
    assert film.rate == Fraction(12) and film.frames == 12 and film.audio_streams == 1
    still = tmp_path / "s.png"
    cv2.imwrite(str(still), data.camera()[:40, :50])
    assert probe(still).kind == "image" and (probe(still).width, probe(still).height) == (50, 40)


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b""), "file is empty"),
    (lambda p: p.write_bytes(b"plain words, not a film " * 20), "not a media file"),
])
def test_probe_says_in_one_line_why_a_file_is_unusable(tmp_path, setup, message):
    path = tmp_path / "x.mp4"
    setup(path)
    with pytest.raises(VidcolorError, match=message) as err:
        probe(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_probe_refuses_audio_only(tmp_path):
    with pytest.raises(VidcolorError, match="audio only"):
        probe(make_audio_only(tmp_path / "a.m4a"))


def colorized_frames(path, ab: float = 20.0):
    for f in decode(path):
        f.ab = np.full((8, 8, 2), ab, np.float32)
        yield f


def test_segments_split_resume_and_join_with_the_sources_audio(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=10)
    work = WorkDir.for_output(tmp_path / "out.mp4", {"k": 1})
    assert work.prepare() == 0
    writer = SegmentWriter(work, FAST, Fraction(12), segment_frames=4)
    for f in colorized_frames(src):
        writer.write(f)
    writer.finish_segment()
    assert [p.name for p in work.segments()] == ["seg-00000.mp4", "seg-00001.mp4", "seg-00002.mp4"]
    assert list(work.path.glob("*.partial")) == []
    assert WorkDir.for_output(tmp_path / "out.mp4", {"k": 1}).prepare() == 3, "same key: all reused"

    joined = join_segments(work.segments(), src, tmp_path / "out.mp4")
    a, b = video_facts(src), video_facts(tmp_path / "out.mp4")
    assert b["times"] == a["times"] and b["audio"] == a["audio"] and joined.packets_copied == len(a["audio"])
    assert all(np.array_equal(x, y) for x, y in zip(a["luma"], b["luma"])) or \
        min(cv2.PSNR(x, y) for x, y in zip(a["luma"], b["luma"])) > 40

    assert WorkDir.for_output(tmp_path / "out.mp4", {"k": 2}).prepare() == 0, "another key: discarded"
    assert work.segments() == []


def test_an_aborted_segment_leaves_only_finished_ones(tmp_path):
    src = make_video(tmp_path / "in.mp4", frames=7, audio=False)
    work = WorkDir.for_output(tmp_path / "out.mp4", {})
    work.prepare()
    writer = SegmentWriter(work, FAST, Fraction(12), segment_frames=4)
    for f in colorized_frames(src):
        writer.write(f)
    writer.abort()  # frames 4..6 were in an unfinished segment
    assert [p.name for p in work.segments()] == ["seg-00000.mp4"]
    assert list(work.path.glob("*partial*")) == []


@pytest.mark.parametrize("name, codec, audio, expected", [
    ("a.mp4", "libx264", "aac", ".mp4"),  # its own container
    ("a.mkv", "libx264", "libopus", ".mkv"),
    ("a.avi", "mpeg4", "libmp3lame", ".mov"),  # AVI cannot keep presentation times: the first fallback
])
def test_the_output_container_holds_every_copied_stream(tmp_path, name, codec, audio, expected):
    src = make_video(tmp_path / name, frames=3, codec=codec, audio_codec=audio)
    assert output_suffix(src) == expected
