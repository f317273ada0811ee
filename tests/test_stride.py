"""The network on every Nth frame (``--predict-every``): which frames, and the ones between carried by the flow."""

from __future__ import annotations

from dataclasses import replace

import av
import numpy as np
import pytest
from media import make_video, video_facts

from vidcolor import Execution, colorize_video
from vidcolor.errors import VidcolorError
from vidcolor.media.decode import decode
from vidcolor.pipeline.colorize import batches, colorize_frames, with_gray
from vidcolor.pipeline.settings import InferenceConfig
from vidcolor.pipeline.stride import mark_predicted
from vidcolor.pipeline.temporal import FlowConfig, Stabilizer, stabilize

CONFIG = InferenceConfig(render_size=64)


def spliced(tmp_path, first: int = 9, second: int = 9) -> list:
    """Two real clips back to back: a cut at frame ``first``."""
    a = make_video(tmp_path / "a.mp4", frames=first, width=128, height=96, image="astronaut", audio=False)
    b = make_video(tmp_path / "b.mp4", frames=second, width=128, height=96, image="coffee", audio=False)
    frames = [f for src in (a, b) for f in decode(src)]
    for i, f in enumerate(frames):
        f.index = i
    return list(with_gray(frames, CONFIG.render_size))


@pytest.mark.parametrize("every", [2, 3])
def test_the_network_sees_every_nth_frame_and_the_first_of_each_shot(tmp_path, every):
    frames = spliced(tmp_path)  # the cut at frame 9: not on the stride
    marked = list(mark_predicted(frames, FlowConfig(predict_every=every)))
    predicted = [f.index for f in marked if f.predict]
    assert predicted == sorted({i for i in range(len(frames)) if i % every == 0} | {9})


def test_every_frame_is_predicted_without_a_stride_or_without_the_flow(tmp_path):
    from vidcolor.pipeline.temporal import OffConfig

    frames = spliced(tmp_path, 4, 4)
    assert all(f.predict for f in mark_predicted(frames, FlowConfig(predict_every=1)))
    assert all(f.predict for f in mark_predicted(frames, OffConfig()))


def test_skipped_frames_ride_with_the_batch_before_them(tmp_path):
    frames = list(mark_predicted(spliced(tmp_path), FlowConfig(predict_every=2)))
    groups = list(batches(frames, CONFIG, 1))
    assert [f.index for g in groups for f in g] == list(range(len(frames)))  # all, in order
    assert all(g[0].predict and sum(f.predict for f in g) == 1 for g in groups)  # one network frame each
    assert [len(g) for g in groups][:4] == [2, 2, 2, 2]  # workers taking turns get the same work


def test_skipped_frames_take_the_color_the_flow_carries(tmp_path, model):
    frames = list(mark_predicted(spliced(tmp_path), FlowConfig(predict_every=2)))
    colored = list(colorize_frames(frames, model, CONFIG))
    assert [f.ab is None for f in colored] == [not f.predict for f in colored]  # the network skipped them
    out = list(stabilize(colored, FlowConfig(predict_every=2)))
    assert all(f.ab is not None and f.ab.shape == (*f.gray.shape, 2) for f in out)
    assert [f.index for f in out if f.cut] == [0, 9]
    # a skipped frame's color is its predecessor's moved by a small pan: close to it, and not gray
    for k in (1, 3, 11):
        prev, cur = out[k - 1].ab, out[k].ab
        assert np.abs(cur).mean() > 1.0
        assert np.abs(cur - prev).mean() < 0.25 * np.abs(prev).mean()


def test_a_shot_start_without_a_prediction_is_an_error_not_a_gray_frame(tmp_path):
    frame = spliced(tmp_path, 2, 2)[0]
    frame.ab = None
    with pytest.raises(VidcolorError, match="not colorized"):
        Stabilizer(FlowConfig(predict_every=2))(frame)


def test_predict_every_below_one_is_refused():
    with pytest.raises(VidcolorError, match="predict_every"):
        FlowConfig(predict_every=0)


def test_a_film_with_a_stride_keeps_every_frame_and_stays_close_to_the_full_run(tmp_path, model, fast_recipe):
    src = make_video(tmp_path / "in.mp4", frames=16)
    every_frame = replace(fast_recipe, temporal=FlowConfig(predict_every=1))
    full = colorize_video(src, tmp_path / "full.mp4", recipe=every_frame, model=model, progress=False)
    strided = replace(fast_recipe, temporal=FlowConfig(predict_every=2))
    a = colorize_video(src, tmp_path / "a.mp4", recipe=strided, model=model, progress=False)
    b = colorize_video(src, tmp_path / "b.mp4", recipe=strided, execution=Execution(pipelined=False), model=model,
                       progress=False)
    ff, fa, fb = video_facts(full.output), video_facts(a.output), video_facts(b.output)
    assert a.frames == b.frames == full.frames == 16 and fa["times"] == ff["times"] and fa["audio"] == ff["audio"]
    assert all(np.array_equal(x, y) for x, y in zip(fa["luma"], ff["luma"]))
    assert all(np.array_equal(x, y) for x, y in zip(fa["yuv"], fb["yuv"]))  # threads or not: the same film
    chroma = [np.abs(x[1:].astype(int) - 128).mean() for x in fa["yuv"]]
    assert min(chroma) > 0.5  # no gray frames where the network skipped
    diff = np.mean([np.abs(x[1:].astype(int) - y[1:].astype(int)).mean() for x, y in zip(fa["yuv"], ff["yuv"])])
    assert diff < 0.5 * np.mean(chroma), (diff, np.mean(chroma))
    assert a.output.read_bytes() != full.output.read_bytes()  # the stride is in the recipe: a different run


def rgb_frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.mark.parametrize("every", [1, 2])
def test_preview_shows_the_frame_the_run_writes(tmp_path, model, fast_recipe, every):
    from vidcolor.pipeline.preview import preview

    src = make_video(tmp_path / "in.mp4", frames=16, width=96, height=64, audio=False)  # 12 frames/s
    recipe = replace(fast_recipe, temporal=FlowConfig(predict_every=every))
    written = rgb_frames(colorize_video(src, tmp_path / "out.mp4", recipe=recipe, model=model, progress=False).output)
    sheet = preview(src, [0.75, 13 / 12], model, recipe)  # frames 9 (skipped at N 2) and 13, warmed up from 0
    for row, index in enumerate((9, 13)):
        shown = sheet[row * 68 + 24:row * 68 + 64, 100:196].astype(int)  # colorized panel, below the time label
        truth = written[index][24:].astype(int)
        other = written[index - 4][24:].astype(int)
        assert np.abs(shown - truth).mean() < 3.0, np.abs(shown - truth).mean()  # x264 and 4:2:0 apart
        assert np.abs(shown - truth).mean() < 0.5 * np.abs(shown - other).mean()  # that frame, not a neighbour
