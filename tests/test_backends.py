"""CPU backends compute what the plain network computes, for every model of the zoo."""

from __future__ import annotations

import pytest
import torch
from media import make_video, video_facts

from vidcolor import Colorizer, Execution, colorize_video
from vidcolor.models import zoo
from vidcolor.models.colorizer import ModelInfo

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


def test_a_film_through_onnxruntime_is_the_same_film(tmp_path, model, fast_recipe, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    src = make_video(tmp_path / "in.mp4", frames=7)
    a = colorize_video(src, tmp_path / "t.mp4", recipe=fast_recipe, execution=Execution(backend="torch"),
                       model=model, progress=False)
    b = colorize_video(src, tmp_path / "o.mp4", recipe=fast_recipe, execution=Execution(backend="onnxruntime"),
                       model=model, progress=False)
    fa, fb = video_facts(a.output), video_facts(b.output)
    assert fa["times"] == fb["times"] and fa["audio"] == fb["audio"]
    assert abs(fa["last_rgb"].astype(int) - fb["last_rgb"].astype(int)).mean() < 0.5
