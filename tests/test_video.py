"""End to end on real files: same frames, timing, sound and luma; color added."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from media import make_audio_only, make_video, video_facts

from vidcolor import Execution, colorize_video
from vidcolor.errors import VidcolorError
from vidcolor.eval.metrics import colorfulness, psnr
from vidcolor.media.segments import SegmentWriter
from vidcolor.pipeline.colorize import predict_batch, with_gray
from vidcolor.pipeline.temporal import stabilize

VARIANTS = {
    "yuv420p-aac": dict(),
    "vfr": dict(vfr=True, frames=15),
    "rotation-90": dict(rotation=90),
    "odd-size": dict(width=63, height=47, pix_fmt="yuv444p"),
    "half-height-odd": dict(width=96, height=54),  # 4:2:0 chroma planes with an odd row count
    "yuv420p10le": dict(pix_fmt="yuv420p10le", audio=False),
    "yuv422p": dict(pix_fmt="yuv422p"),
    "gray-ffv1": dict(pix_fmt="gray", codec="libx264", audio=False),
    "rgb-ffv1-mkv": dict(pix_fmt="bgr0", codec="ffv1", suffix=".mkv", audio_codec="libopus"),
    "mpeg4-avi-mp3": dict(codec="mpeg4", suffix=".avi", audio_codec="libmp3lame"),
}


def luma_psnr(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return min(psnr(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_colorized_video_keeps_frames_timing_sound_and_luma(tmp_path, model, fast_recipe, name):
    opts = dict(VARIANTS[name])
    suffix = opts.pop("suffix", ".mp4")
    src = make_video(tmp_path / f"in{suffix}", **opts)
    before = src.read_bytes()
    result = colorize_video(src, recipe=fast_recipe, model=model, progress=False)
    assert src.read_bytes() == before, "input must never be modified"
    assert result.output.name.startswith("in.colorized.")
    a, b = video_facts(src), video_facts(result.output)
    assert len(b["times"]) == len(a["times"]) == result.frames
    assert np.allclose(a["times"], b["times"], atol=1e-6)
    frame_dur = 1 / float(a["rate"])
    assert abs((b["times"][-1] - b["times"][0]) - (a["times"][-1] - a["times"][0])) < frame_dur
    assert b["audio"] == a["audio"], "every audio packet byte-identical, same timestamps"
    assert (b["width"], b["height"]) == (a["width"], a["height"])
    assert b["rotation"] == a["rotation"]
    assert luma_psnr(a["luma"], b["luma"]) >= 40.0
    assert list(tmp_path.glob(".*partial*")) == []


def test_subtitles_are_copied_with_their_timing(tmp_path, model, fast_recipe):
    src = make_video(tmp_path / "talkie.mkv", subtitles=True)
    out = colorize_video(src, recipe=fast_recipe, model=model, progress=False).output
    a, b = video_facts(src), video_facts(out)
    assert a["subtitles"] == [(b"A horse, 1878.", 0.1), (b"In motion.", 0.5)]
    assert b["subtitles"] == a["subtitles"] and b["audio"] == a["audio"]
    assert out.suffix == ".mkv" and len(b["times"]) == len(a["times"])


def test_rotation_metadata_is_kept(tmp_path, model, fast_recipe):
    src = make_video(tmp_path / "rot.mp4", rotation=-90, audio=False)
    out = colorize_video(src, recipe=fast_recipe, model=model, progress=False).output
    assert video_facts(src)["rotation"] == video_facts(out)["rotation"] == -90


def test_pipelined_and_sequential_runs_are_bit_identical(tmp_path, model, fast_recipe):
    from vidcolor.pipeline.colorize import worker_layout

    assert worker_layout(Execution(), model).workers == 2  # batches alternate
    src = make_video(tmp_path / "in.mp4", frames=14)
    a = colorize_video(src, tmp_path / "threads.mp4", recipe=fast_recipe, model=model, progress=False)
    b = colorize_video(src, tmp_path / "plain.mp4", recipe=fast_recipe, execution=Execution(pipelined=False),
                       model=model, progress=False)
    fa, fb = video_facts(a.output), video_facts(b.output)
    assert a.frames == b.frames == 14 and fa["times"] == fb["times"]
    assert np.array_equal(fa["last_rgb"], fb["last_rgb"])
    assert all(np.array_equal(x, y) for x, y in zip(fa["luma"], fb["luma"]))
    assert all(np.array_equal(x, y) for x, y in zip(fa["yuv"], fb["yuv"]))


@pytest.mark.parametrize("pipelined", [True, False])
def test_a_run_leaves_torch_and_opencv_thread_counts_as_it_found_them(tmp_path, model, fast_recipe, pipelined):
    import cv2

    src = make_video(tmp_path / "in.mp4", frames=6, audio=False)
    before = torch.get_num_threads(), cv2.getNumThreads()
    colorize_video(src, tmp_path / "out.mp4", recipe=fast_recipe, execution=Execution(pipelined=pipelined),
                   model=model, progress=False)
    assert (torch.get_num_threads(), cv2.getNumThreads()) == before
    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))  # torch's default for new threads
    thread.start()
    thread.join()
    assert seen == [before[0]]


def test_chroma_is_added_to_a_real_photo_film(tmp_path, model, fast_recipe, vivid_recipe):
    src = make_video(tmp_path / "coffee.mp4", image="coffee", width=160, height=96, frames=4, audio=False)
    cautious = colorize_video(src, tmp_path / "film.mp4", recipe=fast_recipe, model=model, progress=False).output
    vivid = colorize_video(src, tmp_path / "vivid.mp4", recipe=vivid_recipe, model=model, progress=False).output
    film, photo = (colorfulness(video_facts(out)["last_rgb"]) for out in (cautious, vivid))
    assert film > 2.0 and photo > 5.0 and photo > film, (film, photo)  # a gray frame scores ~0


def test_existing_output_is_refused_without_overwrite(tmp_path, model, fast_recipe):
    src = make_video(tmp_path / "in.mp4", frames=3, audio=False)
    out = tmp_path / "out.mp4"
    out.write_bytes(b"keep me")
    with pytest.raises(VidcolorError, match="exists"):
        colorize_video(src, out, recipe=fast_recipe, model=model, progress=False)
    assert out.read_bytes() == b"keep me"
    colorize_video(src, out, recipe=fast_recipe, model=model, progress=False, overwrite=True)
    assert len(video_facts(out)["times"]) == 3


def test_output_equal_to_input_is_refused(tmp_path, model, fast_recipe):
    src = make_video(tmp_path / "in.mp4", frames=3, audio=False)
    with pytest.raises(VidcolorError, match="input itself"):
        colorize_video(src, src, recipe=fast_recipe, model=model, progress=False, overwrite=True)


SegmentWriter_write = SegmentWriter.write


def fail_at_fifth(items, *args, **kwargs):
    for i, item in enumerate(items):
        if i == 5:
            raise RuntimeError("boom")
        yield item


def broken_batch(batch, model, config, execution):
    if batch[0].index >= 4:
        raise RuntimeError("boom")
    return predict_batch(batch, model, config, execution)


def broken_write(writer, frame):
    if frame.index >= 5:
        raise RuntimeError("boom")
    return SegmentWriter_write(writer, frame)


@pytest.mark.parametrize("stage, module, name, replacement", [
    ("decode", "vidcolor.pipeline.video", "with_gray", lambda items, size: fail_at_fifth(with_gray(items, size))),
    ("colorize", "vidcolor.pipeline.colorize", "predict_batch", broken_batch),  # in one of the model workers
    ("temporal", "vidcolor.pipeline.video", "stabilize", lambda items, config: fail_at_fifth(stabilize(items, config))),
    ("encode", "vidcolor.media.segments.SegmentWriter", "write", broken_write),  # in the caller's thread
])
def test_a_failing_stage_is_named_and_leaves_no_output(tmp_path, model, fast_recipe, monkeypatch, stage, module,
                                                      name, replacement):
    monkeypatch.setattr(f"{module}.{name}", replacement)
    src = make_video(tmp_path / "in.mp4", frames=12)
    with pytest.raises(VidcolorError, match=f"{stage} stage failed: RuntimeError: boom"):
        colorize_video(src, tmp_path / "out.mp4", recipe=fast_recipe, model=model, progress=False)
    assert not (tmp_path / "out.mp4").exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["in.mp4"]
    assert list(tmp_path.rglob("*partial*")) == []  # only finished segments are kept, for resuming
    assert [t.name for t in threading.enumerate() if t.name.startswith("vidcolor-")] == []


def test_audio_only_file_is_a_clear_error(tmp_path, model, fast_recipe):
    path = make_audio_only(tmp_path / "sound.m4a")
    with pytest.raises(VidcolorError, match="no video stream"):
        colorize_video(path, recipe=fast_recipe, model=model, progress=False)


def test_plain_model_gives_the_same_film_as_its_torchscript_graphs(tmp_path, model, vivid_recipe):
    """--no-jit is a speed option only: same frames and timing, colors within rounding."""
    src = make_video(tmp_path / "in.mp4", frames=6)
    graphs = colorize_video(src, tmp_path / "jit.mp4", recipe=vivid_recipe, model=model, progress=False)
    eager = colorize_video(src, tmp_path / "plain.mp4", recipe=vivid_recipe, execution=Execution(jit=False),
                           model=model, progress=False)
    a, b = video_facts(graphs.output), video_facts(eager.output)
    assert a["times"] == b["times"] and all(np.array_equal(x, y) for x, y in zip(a["luma"], b["luma"]))
    diff = np.abs(a["last_rgb"].astype(int) - b["last_rgb"].astype(int))
    assert diff.mean() < 0.5 and colorfulness(a["last_rgb"]) > 2.0  # a gray frame scores ~0


def test_compiled_model_gives_the_same_film(tmp_path, model, vivid_recipe):
    """--compile is a speed option only: same frames, timing and (up to rounding) colors."""
    src = make_video(tmp_path / "in.mp4", frames=7)  # 7 frames, batch 4: the last batch is padded
    eager = colorize_video(src, tmp_path / "eager.mp4", recipe=vivid_recipe, model=model, progress=False)
    fast = colorize_video(src, tmp_path / "compiled.mp4", recipe=vivid_recipe, execution=Execution(compile=True),
                          model=model, progress=False)
    a, b = video_facts(eager.output), video_facts(fast.output)
    assert b["times"] == a["times"] and fast.frames == 7
    assert b["audio"] == a["audio"]
    assert all(np.array_equal(x, y) for x, y in zip(a["luma"], b["luma"]))
    diff = np.abs(a["last_rgb"].astype(int) - b["last_rgb"].astype(int))
    assert diff.mean() < 1.0 and colorfulness(b["last_rgb"]) > 2.0  # a gray frame scores ~0


def test_list_videos_finds_videos_by_probing_and_skips_everything_else(tmp_path):
    from vidcolor.eval.videos import list_videos

    (tmp_path / "sub").mkdir()
    a = make_video(tmp_path / "b.mp4", frames=3, audio=False)
    b = make_video(tmp_path / "sub" / "a.mkv", frames=3, audio=False)
    make_audio_only(tmp_path / "sound.m4a")
    (tmp_path / "notes.txt").write_text("not a video")
    (tmp_path / "fake.mp4").write_bytes(b"\x00" * 100)
    assert list_videos(tmp_path) == sorted([a, b])
    assert list_videos(a) == [a]
    assert list_videos(tmp_path / "notes.txt") == []
