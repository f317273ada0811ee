"""The picture-wide chroma gain: its loss against hand values, what it does to the decoded colors, and
that the training loop teaches it to color a colorless scene less."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch
from test_training import tiny_trainer

from vidcolor.models.archs.effunet import SceneGain
from vidcolor.models.zoo import build_model, make_config
from vidcolor.training.losses import gain_stats, scene_gain_loss


def test_gain_stats_and_loss_against_hand_values():
    pred = torch.zeros(1, 2, 2, 2)
    pred[0, 0] = 10.0  # a = 10 everywhere, b = 0
    truth = torch.zeros(1, 2, 2, 2)
    truth[0, 0] = 6.0
    truth[0, 1] = 8.0  # |truth| = 10, pred·truth = 60
    stats = gain_stats(pred, truth)
    assert stats[0].tolist() == pytest.approx([100.0, 60.0, 100.0])
    # g = 0.5: error 0.25·100 − 60 + 100 = 65 against gray's 100, with the +1 that keeps colorless pictures finite
    logit = torch.tensor([0.0])
    assert float(scene_gain_loss(logit, stats)) == pytest.approx(math.log(66 / 101), rel=1e-6)
    # the least-squares gain B / A = 0.6 is the loss's minimum
    grid = torch.linspace(-3, 3, 601)
    best = grid[torch.stack([scene_gain_loss(t[None], stats) for t in grid]).argmin()]
    assert float(torch.sigmoid(best)) == pytest.approx(0.6, abs=0.01)


def test_the_gain_scales_the_decoded_colors_and_nothing_else():
    torch.manual_seed(0)
    plain = build_model("effunet", make_config("effunet", {"global_context": True}), pretrained=False).eval()
    gained = build_model("effunet", make_config("effunet", {"global_context": True, "scene_gain": True}),
                         pretrained=False).eval()
    gained.load_state_dict(plain.state_dict(), strict=False)
    torch.nn.init.constant_(gained.scene.fc.bias, math.log(0.3 / 0.7))  # gain 0.3 for every picture
    gray = torch.rand(2, 1, 64, 96) * 255
    with torch.no_grad():
        out = gained(gray)
        a, b = plain.decode_ab(plain(gray)), gained.decode_ab(out)
    assert out.shape[1] == plain(gray).shape[1] + 1
    assert torch.allclose(b, 0.3 * a, atol=1e-4)


def test_training_teaches_the_gain_to_color_a_colorless_scene_less(tmp_path):
    """Photos whose truth is gray: whatever the network paints costs, so the gain must fall."""
    folder = tmp_path / "photos" / "gray-streets"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(8):
        g = cv2.GaussianBlur(rng.uniform(0, 255, (96, 96)).astype(np.uint8), (0, 0), 3)
        cv2.imwrite(str(folder / f"{i}.png"), np.dstack([g] * 3))
    trainer = tiny_trainer(tmp_path / "photos", tmp_path, model={"global_context": True, "scene_gain": True})
    bias = trainer.model.scene.fc.bias
    before = float(bias)
    steps = [trainer.train_step() for _ in range(25)]
    assert all(s["scene"] > 0 for s in steps[:3])  # what the untrained network paints costs against gray
    assert float(bias) < before - 0.02, (before, float(bias))  # every step pushed the gain down


def test_scene_gain_head_pools_mean_and_spread():
    head = SceneGain(3)
    f = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 2, 2)
    pooled = SceneGain.pool(f)
    assert pooled.shape == (2, 6)
    assert torch.allclose(pooled[:, :3], f.flatten(2).mean(2)) and torch.allclose(pooled[:, 3:], f.flatten(2).std(2))
    assert head(f).shape == (2, 1)


def test_exported_backends_carry_the_gain(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    from vidcolor.models.colorizer import Colorizer, ModelInfo

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    torch.manual_seed(0)
    net = build_model("effunet", make_config("effunet", {"global_context": True, "scene_gain": True}),
                      pretrained=False)
    torch.nn.init.normal_(net.scene.fc.weight, std=0.5)  # a gain that differs per picture
    model = Colorizer(net, ModelInfo("effunet"), "cpu")
    gray = torch.rand(2, 1, 48, 64) * 255
    plain = model.predict_ab(gray)
    assert torch.allclose(model.predict_ab(gray, graphs=True, backend="onnxruntime"), plain, atol=1e-3)
    assert torch.allclose(model.predict_ab(gray, graphs=True, backend="torch"), plain, atol=1e-3)


def test_the_gain_is_raised_to_its_power_and_a_power_of_0_leaves_the_colors_as_without_it():
    from vidcolor.models.archs.base import Decoding

    torch.manual_seed(0)
    net = build_model("effunet", make_config("effunet", {"global_context": True, "scene_gain": True,
                                                         "scene_gain_power": 0.0}), pretrained=False).eval()
    torch.nn.init.constant_(net.scene.fc.bias, -1.0)  # a gain of about 0.27: each power scales differently
    with torch.inference_mode():
        out = net(torch.rand(2, 1, 48, 64) * 255)
        main, logit = net.split_output(out)
        bare = net.decode_colors(main)
        gain = torch.sigmoid(logit)[:, None, None, None]
        assert torch.equal(net.decode_ab(out), bare), "the config's power 0: the head is unused"
        assert torch.allclose(net.decode_ab(out, Decoding(scene_gain_power=1.0)), bare * gain)
        assert torch.allclose(net.decode_ab(out, Decoding(scene_gain_power=0.5)), bare * gain.sqrt())
    assert float(gain.max()) < 0.5 and float(bare.abs().max()) > 1, "a gain and colors that show the powers apart"
