"""Worker processes: every job gives exactly one result, a bad file is one line, a hung one times out."""

from __future__ import annotations

from pathlib import Path

from media import make_video

from vidcolor import Execution, InferenceConfig, Recipe
from vidcolor.batch.jobs import Job
from vidcolor.batch.supervisor import WorkerOptions, run_supervised
from vidcolor.media.encode import EncodeSettings


def test_two_workers_give_one_result_per_job(tmp_path):
    good = make_video(tmp_path / "good.mp4", frames=4, audio=False)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a film " * 50)
    out = tmp_path / "out"
    recipe = Recipe(inference=InferenceConfig(render_size=32), encode=EncodeSettings(preset="ultrafast"))
    options = WorkerOptions(recipe, Execution(device="cpu"), overwrite=False, output_format="h264", threads=1)
    results = []
    jobs = [Job(good, Path("good.mp4"), out), Job(bad, Path("bad.mp4"), out)]
    run_supervised(jobs, options, jobs=2, timeout=None, on_result=results.append)
    by_input = {Path(r.input).name: r for r in results}
    assert len(results) == 2
    assert by_input["good.mp4"].status == "done" and Path(by_input["good.mp4"].output).exists()
    assert by_input["bad.mp4"].status == "failed" and "not a media file" in by_input["bad.mp4"].error
