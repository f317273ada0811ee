"""Every format an archive holds (issue 17's eleven kinds), each run as a user would and reopened."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from media import ARCHIVE_KINDS, make_archive_file

from vidcolor.cli import main
from vidcolor.media.probe import probe

# --vivid: the film decoding leaves a generated clip all but gray, and these tests follow its color into every
# format's chroma planes (and each field's)
FAST = ["--render-size", "48", "--preset", "ultrafast", "--quiet", "--vivid"]
EXPECTED_CONTAINER = {"prores-pcm": ".mov", "mpeg2-mp2": ".mov", "dv-pal": ".mov", "dv-ntsc-pcm": ".mov",
                      "mjpeg-pcm": ".mov", "vp9-opus": ".mkv", "ffv1-gray16-flac": ".mkv", "h264-two-aac": ".mkv",
                      "ntsc-2997": ".mp4", "anamorphic": ".mp4", "interlaced-tff": ".mov"}


def facts(path: Path) -> dict:
    """What must survive: frame times, audio packets (per stream), luma, chroma, pixel aspect, fields, tags."""
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        times, luma, chroma, interlaced, tags = [], [], [], [], set()
        audio: dict[int, list[tuple[bytes, float]]] = {}
        ticks = {}
        order = {s.index: n for n, s in enumerate(c.streams.audio)}
        pcm = {n: s.codec_context.name.startswith("pcm_") for n, s in enumerate(c.streams.audio)}
        for packet in c.demux():
            if packet.stream.type == "audio" and packet.size:
                n = order[packet.stream.index]
                audio.setdefault(n, []).append((bytes(packet), float(packet.pts * packet.time_base)))
                ticks[n] = float(packet.time_base)
            if packet.stream.type == "video":
                for f in packet.decode():
                    times.append(round(float(f.pts * f.time_base), 6))
                    luma.append(f.to_ndarray(format="gray"))
                    yuv = f.reformat(format="yuv444p").to_ndarray()
                    chroma.append(float(np.abs(yuv[1:].astype(int) - 128).mean()))
                    interlaced.append(f.interlaced_frame)
                    tags.add((f.colorspace, f.color_range))
        sar = vs.codec_context.sample_aspect_ratio
        return {"times": sorted(times), "luma": luma, "chroma": chroma, "audio": audio, "ticks": ticks, "pcm": pcm,
                "audio_streams": len(c.streams.audio), "sar": sar if sar and sar != 1 else None,
                "interlaced": interlaced, "field_order": vs.codec_context.field_order, "tags": tags}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    for kind in ARCHIVE_KINDS:
        make_archive_file(folder, kind)
    return folder


@pytest.mark.parametrize("kind", list(ARCHIVE_KINDS))
def test_each_archive_format_keeps_frames_timing_sound_aspect_and_fields(archive, tmp_path, kind):
    src = next(archive.glob(f"{kind}.*"))
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", str(src), "-o", f"{tmp_path / 'out'}/", "--report", str(report),
                                       *FAST])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / f"{kind}{EXPECTED_CONTAINER[kind]}"
    assert out.exists(), sorted(p.name for p in (tmp_path / "out").iterdir())
    a, b = facts(src), facts(out)
    assert len(b["times"]) == len(a["times"]) == 10 and b["times"] == a["times"]
    assert b["audio_streams"] == a["audio_streams"] >= 1 and a["audio"].keys() == b["audio"].keys()
    for n, packets in a["audio"].items():
        if a["pcm"][n]:  # PCM has no packets of its own: MOV regroups the same samples into its chunks
            assert b"".join(p for p, _ in b["audio"][n]) == b"".join(p for p, _ in packets), "every sample"
            assert abs(b["audio"][n][0][1] - packets[0][1]) <= max(b["ticks"][n], a["ticks"][n])
            continue
        assert [p for p, _ in b["audio"][n]] == [p for p, _ in packets], "every audio packet, byte for byte"
        # times as exact as the output container's clock for that stream (MOV: the sample rate; TS: 90 kHz)
        tick = max(b["ticks"][n], a["ticks"][n])
        assert np.allclose([t for _, t in b["audio"][n]], [t for _, t in packets], atol=tick, rtol=0)
    assert min(psnr(x, y) for x, y in zip(a["luma"], b["luma"])) >= 38, "luma kept"
    assert max(b["chroma"]) > 1.0, "color added"
    assert b["sar"] == a["sar"], "sample aspect ratio kept"
    assert b["interlaced"] == a["interlaced"], "interlaced film stays interlaced"
    if any(a["interlaced"]):
        assert b["field_order"] in (2, 3)  # TT or BB, as the input's pictures are shown
    assert probe(src).frames == 10, "an honest frame count for progress"
    entry = json.loads(report.read_text())["files"][0]
    assert entry["status"] == "done" and entry["frames"] == 10
    assert list(tmp_path.rglob("*partial*")) == [] and list(tmp_path.rglob("*vidcolor-work*")) == []


def test_interlaced_film_is_deinterlaced_on_request_and_it_is_reported(archive, tmp_path):
    src = archive / "interlaced-tff.ts"
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "p.mov"), "--deinterlace",
                                       "--report", str(report), *FAST])
    assert result.exit_code == 0, result.output
    a, b = facts(src), facts(tmp_path / "p.mov")
    assert b["times"] == a["times"] and not any(b["interlaced"]) and all(a["interlaced"])
    assert any("deinterlaced" in w for w in json.loads(report.read_text())["files"][0]["warnings"])


def test_top_and_bottom_fields_get_their_own_chroma(archive, tmp_path):
    """Per-field color: the two fields of a moving picture are colorized apart, so their chroma rows differ."""
    src = archive / "interlaced-tff.ts"
    assert CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "i.mov"), *FAST]).exit_code == 0
    with av.open(str(tmp_path / "i.mov")) as c:
        last = list(c.decode(video=0))[-1].to_ndarray()  # yuv420p, planes stacked
    h = last.shape[0] * 2 // 3
    u = last[h: h + h // 4].reshape(-1, last.shape[1] // 2 * 2)[:, : last.shape[1] // 2].astype(int)
    assert np.abs(u[0::2] - u[1::2]).mean() > 0.05


def test_a_named_container_that_cannot_hold_the_sound_is_refused_before_any_work(archive, tmp_path):
    out = tmp_path / "film.mp4"
    result = CliRunner().invoke(main, ["run", str(archive / "mjpeg-pcm.avi"), "-o", str(out), *FAST])
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = result.output.strip().splitlines()[-1]
    assert "pcm_s16le" in line and ".mov" in line and "mjpeg-pcm.avi" in line
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_trailing_slash_makes_a_missing_folder_for_one_input(archive, tmp_path):
    result = CliRunner().invoke(main, ["run", str(archive / "ntsc-2997.mp4"), "-o", f"{tmp_path}/new/", *FAST])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "ntsc-2997.mp4").exists()


def test_title_creation_time_timecode_and_chapters_are_kept(tmp_path):
    from fractions import Fraction

    from media import make_video

    plain = make_video(tmp_path / "plain.mov", frames=12)
    src = tmp_path / "tagged.mov"
    with av.open(str(plain)) as a, av.open(str(src), "w") as out:
        out.metadata.update({"title": "Reel 3", "creation_time": "1994-05-04T10:00:00.000000Z",
                             "timecode": "01:00:00:00"})
        out.set_chapters([{"id": 1, "start": 0, "end": 6, "time_base": Fraction(1, 12), "metadata": {"title": "A"}},
                          {"id": 2, "start": 6, "end": 12, "time_base": Fraction(1, 12), "metadata": {"title": "B"}}])
        streams = {s.index: out.add_stream_from_template(s, **({"rate": Fraction(12)} if s.type == "video" else {}))
                   for s in a.streams}
        for packet in a.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    result = CliRunner().invoke(main, ["run", str(src), "-o", str(tmp_path / "out.mov"), *FAST])
    assert result.exit_code == 0, result.output
    with av.open(str(src)) as a, av.open(str(tmp_path / "out.mov")) as b:
        assert b.metadata.get("title") == "Reel 3"
        assert b.metadata.get("creation_time") == a.metadata.get("creation_time")
        assert a.metadata.get("creation_time", "").startswith("1994-05-04")
        timecodes = [s.metadata.get("timecode") for s in (*b.streams.data, *b.streams.video)]
        assert "01:00:00:00" in timecodes
        assert [c["metadata"].get("title") for c in b.chapters()] == [c["metadata"].get("title") for c in a.chapters()]
