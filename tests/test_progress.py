"""Progress fits where it goes: occasional plain lines when stderr is not a terminal."""

from __future__ import annotations

import io

from vidcolor.runtime.progress import PlainProgress, progress


def test_plain_progress_prints_whole_lines_not_carriage_returns():
    out = io.StringIO()
    bar = PlainProgress(total=10, desc="film.mp4", unit="frame", stream=out, interval=0.0)
    for _ in range(3):
        bar.update(1)
    bar.set_postfix_str("reel 2")
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and "\r" not in out.getvalue()
    assert lines[0].startswith("film.mp4: 1/10 frames") and lines[-1].endswith("reel 2")


def test_plain_progress_is_quiet_between_intervals():
    out = io.StringIO()
    bar = PlainProgress(total=None, desc="x", unit="frame", stream=out, interval=3600)
    for _ in range(100):
        bar.update(1)
    assert out.getvalue() == ""
    bar.close()
    assert out.getvalue().startswith("x: 100 frames")


def test_a_log_file_gets_plain_lines(capsys):
    assert isinstance(progress(5, "x", "file"), PlainProgress)  # pytest's stderr is not a terminal
    assert not isinstance(progress(5, "x", "file", enabled=False), PlainProgress)
