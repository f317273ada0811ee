"""Whole folders: good files done, bad ones reported, reruns skip, a killed run resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from media import (
    make_audio_only,
    make_damaged,
    make_unsupported_codec,
    make_video,
    make_zero_frames,
    truncated_copy,
    video_facts,
)
from skimage import data

FAST = ["--render-size", "64", "--preset", "ultrafast", "--quiet"]


def vidcolor(*args, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vidcolor", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **kw)


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Good files (one in a sub-folder, one photo) and one of each bad kind, with the expected reason."""
    root = tmp_path / "archive"
    (root / "reel2").mkdir(parents=True)
    make_video(root / "reel1.mp4", frames=10)
    make_video(root / "reel2" / "part.mkv", frames=8, audio_codec="libopus")
    cv2.imwrite(str(root / "still.png"), cv2.cvtColor(data.camera()[:96, :128], cv2.COLOR_GRAY2BGR))
    (root / "notes.txt").write_text("not media, ignored")
    bad = {
        "not-media.mp4": "not a media file",
        "empty.mov": "file is empty",
        "no-moov.mp4": "not a media file",
        "sound.m4a": "no video stream (audio only)",
        "zero-frames.mkv": "has no video frames",
        "fourcc.avi": "unsupported video codec",
    }
    (root / "not-media.mp4").write_bytes(b"just some text, not a film\n" * 40)
    (root / "empty.mov").write_bytes(b"")
    truncated_copy(make_video(tmp_path / "whole.mp4", frames=10), root / "no-moov.mp4", 0.6)
    make_audio_only(root / "sound.m4a")
    make_zero_frames(root / "zero-frames.mkv")
    make_unsupported_codec(root / "fourcc.avi")
    return root, bad


def test_folder_batch_reports_every_bad_file_and_skips_on_rerun(archive, tmp_path):
    root, bad = archive
    make_damaged(root / "damaged.mkv")
    truncated_copy(make_video(tmp_path / "long.mkv", frames=36, audio=False), root / "cut.mkv", 0.5)
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    proc = vidcolor("run", root, "-o", out, "--report", report_path, *FAST)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(report_path.read_text())
    by_name = {Path(f["input"]).name: f for f in report["files"]}
    assert "notes.txt" not in by_name
    for name, reason in bad.items():
        entry = by_name[name]
        assert entry["status"] == "failed" and reason in entry["error"], entry
        assert f"{name}: " in proc.stderr and reason in proc.stderr
    for name, rel in (("reel1.mp4", "reel1.mp4"), ("part.mkv", "reel2/part.mkv")):
        entry = by_name[name]
        assert entry["status"] == "done", entry
        assert Path(entry["output"]) == out / rel
        src = root / rel
        a, b = video_facts(src), video_facts(out / rel)
        assert len(a["times"]) == len(b["times"]) == entry["frames"]
        assert a["audio"] == b["audio"] and a["audio"]
    assert by_name["still.png"]["status"] == "done" and (out / "still.png").exists()
    assert by_name["damaged.mkv"]["status"] == "done"
    assert any("damaged" in w for w in by_name["damaged.mkv"]["warnings"])
    assert len(video_facts(out / "damaged.mkv")["times"]) == 11  # 12 frames, 1 could not be decoded
    assert by_name["cut.mkv"]["status"] == "done" and by_name["cut.mkv"]["warnings"]
    assert report["summary"] == {"done": 5, "skipped": 0, "failed": len(bad)}
    assert list(out.rglob("*partial*")) == [] and list(out.rglob("*vidcolor-work*")) == []
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == sorted(
        [*bad, "reel1.mp4", "part.mkv", "still.png", "notes.txt", "damaged.mkv", "cut.mkv"])

    again = vidcolor("run", root, "-o", out, "--report", report_path, *FAST)
    second = json.loads(report_path.read_text())["summary"]
    assert second == {"done": 0, "skipped": 5, "failed": len(bad)}, again.stderr
    assert again.returncode == 1


def test_changed_input_is_redone(tmp_path):
    (tmp_path / "in").mkdir()
    src = make_video(tmp_path / "in" / "film.mp4", frames=6)
    out = tmp_path / "out"
    assert vidcolor("run", tmp_path / "in", "-o", out, *FAST).returncode == 0
    make_video(src, frames=9)  # the film was replaced
    proc = vidcolor("run", tmp_path / "in", "-o", out, *FAST)
    assert proc.returncode == 0 and "1 done" in proc.stderr + proc.stdout
    assert len(video_facts(out / "film.mp4")["times"]) == 9


def test_output_folder_that_cannot_be_created_is_a_clear_failure(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=3, audio=False)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    proc = vidcolor("run", src, tmp_path / "film.mp4", "-o", blocker / "out", *FAST)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "cannot create output folder" in proc.stderr


def test_killed_run_resumes_and_equals_an_uninterrupted_one(tmp_path):
    """Also across a change of how it runs (workers, graphs, batch size): none of that changes the output."""
    src = make_video(tmp_path / "long.mp4", frames=120, width=96, height=64)
    args = [*FAST, "--segment-seconds", "1"]  # 12 frames per segment
    ref = vidcolor("run", src, "-o", tmp_path / "ref.mp4", *args)
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "out.mp4"
    work = tmp_path / ".out.mp4.vidcolor-work"
    proc = subprocess.Popen([sys.executable, "-m", "vidcolor", "run", str(src), "-o", str(out), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (work / "seg-00003.mp4").exists():
        assert proc.poll() is None, "finished before it could be killed"
        assert time.time() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not out.exists(), "no half file under the final name"
    finished = sorted(p.name for p in work.glob("seg-*.mp4"))
    assert len(finished) >= 4

    report = tmp_path / "r.json"
    again = vidcolor("run", src, "-o", out, "--report", report, *args, "--model-workers", "1", "--no-jit",
                     "--batch-size", "2")
    assert again.returncode == 0, again.stderr
    entry = json.loads(report.read_text())["files"][0]
    assert entry["segments_reused"] == len(finished)
    a, b = video_facts(tmp_path / "ref.mp4"), video_facts(out)
    assert a["times"] == b["times"] and len(b["times"]) == 120
    assert a["audio"] == b["audio"]
    assert not work.exists()


def test_fuzzed_copies_end_in_an_output_or_one_clean_line(tmp_path):
    good = make_video(tmp_path / "good.mp4", frames=8, width=32, height=32).read_bytes()
    rng = np.random.default_rng(1234)
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for i in range(200):
        raw = bytearray(good)
        if i % 2:
            raw = raw[: rng.integers(1, len(raw))]
        else:
            for pos in rng.integers(0, len(raw), rng.integers(1, 24)):
                raw[pos] = rng.integers(0, 256)
        (folder / f"f{i:03d}.mp4").write_bytes(bytes(raw))
    report = tmp_path / "r.json"
    proc = vidcolor("run", folder, "-o", tmp_path / "out", "--report", report, "--timeout", "60",
                    "--render-size", "32", "--preset", "ultrafast", "--quiet", timeout=900)
    assert proc.returncode in (0, 1)
    assert "Traceback" not in proc.stderr
    files = json.loads(report.read_text())["files"]
    assert len(files) == 200
    for f in files:
        if f["status"] == "done":
            assert len(video_facts(Path(f["output"]))["times"]) >= 1
        else:
            assert f["status"] == "failed" and f["error"] and "\n" not in f["error"]
    assert list((tmp_path / "out").rglob("*partial*")) == []


def drop_file_permission_override() -> None:
    """In the child: lose root's power to ignore file permissions (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH leave the capability bounding set, so the exec'd program never has them)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def permissions_apply() -> dict:
    """subprocess arguments under which file permissions are enforced, as for any user."""
    return {"preexec_fn": drop_file_permission_override} if os.geteuid() == 0 else {}


def test_unreadable_file_and_unwritable_output_folder(tmp_path):
    drop = permissions_apply()
    root = tmp_path / "archive"
    root.mkdir()
    make_video(root / "good.mp4", frames=6)
    make_video(root / "locked.mp4", frames=6)
    (root / "locked.mp4").chmod(0o000)
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    proc = vidcolor("run", root, "-o", out, "--report", report_path, *FAST, **drop)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    by_name = {Path(f["input"]).name: f for f in json.loads(report_path.read_text())["files"]}
    assert by_name["good.mp4"]["status"] == "done"
    assert by_name["locked.mp4"]["status"] == "failed"
    assert "permission denied (cannot read)" in by_name["locked.mp4"]["error"]
    assert "locked.mp4: permission denied" in proc.stderr

    sealed = tmp_path / "sealed"
    sealed.mkdir()
    sealed.chmod(0o555)
    proc = vidcolor("run", root / "good.mp4", "-o", sealed / "good.mp4", *FAST, **drop)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{sealed}: output folder is not writable" in proc.stderr
    assert list(sealed.iterdir()) == []
    sealed.chmod(0o755)


def test_parallel_jobs_do_every_file_once(archive, tmp_path):
    root, bad = archive
    for i in range(3):
        make_video(root / f"extra{i}.mp4", frames=8 + i)
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    proc = vidcolor("run", root, "-o", out, "--jobs", "2", "--report", report_path, *FAST)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    files = json.loads(report_path.read_text())["files"]
    names = [Path(f["input"]).name for f in files]
    assert sorted(names) == sorted(set(names)), "every file reported exactly once"
    by_name = {Path(f["input"]).name: f for f in files}
    assert {n for n, f in by_name.items() if f["status"] == "failed"} == set(bad)
    for i in range(3):
        entry = by_name[f"extra{i}.mp4"]
        assert entry["status"] == "done" and entry["frames"] == 8 + i
        assert len(video_facts(out / f"extra{i}.mp4")["times"]) == 8 + i
    assert not [p for p in out.rglob("*") if "partial" in p.name]


def test_a_file_over_the_timeout_is_given_up_and_the_batch_goes_on(tmp_path):
    root = tmp_path / "films"
    root.mkdir()
    make_video(root / "a-long.mp4", frames=3000, audio=False)
    make_video(root / "b-short.mp4", frames=6)
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    started = time.time()
    proc = vidcolor("run", root, "-o", out, "--timeout", "3", "--report", report_path, *FAST)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    by_name = {Path(f["input"]).name: f for f in json.loads(report_path.read_text())["files"]}
    assert by_name["a-long.mp4"]["status"] == "failed"
    assert "timed out after 3 s" in by_name["a-long.mp4"]["error"]
    assert 3 <= by_name["a-long.mp4"]["seconds"] < 30
    assert by_name["b-short.mp4"]["status"] == "done"
    assert len(video_facts(out / "b-short.mp4")["times"]) == 6
    assert not (out / "a-long.mp4").exists(), "nothing under the final name"
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == ["b-short.mp4"]
    assert time.time() - started < 120
