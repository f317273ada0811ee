"""CPU backends compute what the plain network computes, for every model of the zoo."""

from __future__ import annotations

import pytest
import torch
from media import make_video, video_facts

from vidcolor import Colorizer, Execution, colorize_video
from vidcolor.models import zoo
from vidcolor.models.colorizer import ModelInfo
from vidcolor.pipeline.colorize import WorkerLayout, frames_per_call, worker_layout

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
@pytest.mark.parametrize("name", sorted(zoo.MODELS))
def test_every_backend_matches_torch_for_every_zoo_model(name, backend, tmp_path, monkeypatch):
    if backend == "openvino":
        pytest.importorskip("openvino")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    torch.manual_seed(0)
    model = Colorizer(zoo.build_model(name, pretrained=False), ModelInfo(name), "cpu")
    gray = torch.rand(2, 1, 48, 64) * 255
    plain = model.predict_ab(gray)
    onnx = model.predict_ab(gray, graphs=True, backend=backend)
    assert onnx.shape == plain.shape
    assert torch.allclose(onnx, plain, atol=1e-3), float((onnx - plain).abs().max())
    assert list((tmp_path / "vidcolor" / "onnx").glob("*.onnx")), "the export is kept for later processes"


@pytest.mark.parametrize("backend", ["onnxruntime", "openvino"])
def test_a_film_through_each_backend_is_the_same_film(backend, tmp_path, model, fast_recipe, monkeypatch):
    """Whole runs, the reference in batches of 4 frames and the exported backend at its default (one frame per
    call on the CPU); OpenVINO with one caller (worker_layout), as its bindings want."""
    if backend == "openvino":
        pytest.importorskip("openvino")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    src = make_video(tmp_path / "in.mp4", frames=7)
    a = colorize_video(src, tmp_path / "t.mp4", recipe=fast_recipe,
                       execution=Execution(backend="torch", batch_size=4), model=model, progress=False)
    b = colorize_video(src, tmp_path / "o.mp4", recipe=fast_recipe, execution=Execution(backend=backend),
                       model=model, progress=False)
    fa, fb = video_facts(a.output), video_facts(b.output)
    assert fa["times"] == fb["times"] and fa["audio"] == fb["audio"]
    assert abs(fa["last_rgb"].astype(int) - fb["last_rgb"].astype(int)).mean() < 0.5


def test_frames_per_call_and_callers_follow_the_device_and_backend(model):
    assert frames_per_call(Execution(), model) == 1  # the CPU: one frame per call
    assert frames_per_call(Execution(batch_size=6), model) == 6
    assert worker_layout(Execution(backend="openvino"), model, threads=4) == WorkerLayout(1, 4)
    assert worker_layout(Execution(backend="onnxruntime"), model, threads=4).workers == 4
