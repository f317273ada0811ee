"""The training loop learns, checkpoints and resumes exactly; eval metrics are right."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from vidcolor import load_model
from vidcolor.eval.metrics import colorfulness, psnr, ssim
from vidcolor.eval.photos import gray_baseline
from vidcolor.models.checkpoint import read_checkpoint
from vidcolor.training.data import CropConfig, build_cache
from vidcolor.training.loop import TrainConfig, Trainer, split_of
from vidcolor.training.split import validation_names


@pytest.fixture
def photo_dir(tmp_path):
    """Sixteen small color photos cut from scikit-image's pictures."""
    folder = tmp_path / "photos" / "skimage"
    folder.mkdir(parents=True)
    for i, name in enumerate(["astronaut", "chelsea", "coffee", "rocket"] * 4):
        img = getattr(data, name)()[..., :3]
        y, x = (i * 37) % (img.shape[0] - 96), (i * 53) % (img.shape[1] - 96)
        cv2.imwrite(str(folder / f"{i:02d}.png"), img[y:y + 96, x:x + 96, ::-1])
    return tmp_path / "photos"


def tiny_trainer(photo_dir, tmp_path, **kw) -> Trainer:
    cache = build_cache([photo_dir], tmp_path / "cache")
    config = TrainConfig(batch_size=4, steps=40, warmup=1, lr=2e-3, val_images=1,
                         crop=CropConfig(size=48), **kw)
    return Trainer(config, cache, tmp_path / "run", tmp_path / "w.pt")


def test_loss_falls_on_a_handful_of_photos(photo_dir, tmp_path):
    trainer = tiny_trainer(photo_dir, tmp_path)
    losses = [trainer.train_step()["loss"] for _ in range(40)]
    assert np.mean(losses[-8:]) < 0.85 * np.mean(losses[:8])
    assert all(np.isfinite(losses))


@pytest.mark.parametrize("frozen", [False, True])
def test_frozen_encoder_bn_keeps_the_encoders_statistics_and_still_trains_its_weights(photo_dir, tmp_path, frozen):
    trainer = tiny_trainer(photo_dir, tmp_path, frozen_encoder_bn=frozen)
    norms = {name: m for name, m in trainer.model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}
    before = {name: m.running_mean.clone() for name, m in norms.items()}
    weights = {n: p.detach().clone() for n, p in trainer.model.named_parameters() if n.startswith("encoder.")}
    for _ in range(3):
        trainer.train_step()
    moved = {name for name, m in norms.items() if not torch.equal(m.running_mean, before[name])}
    encoder_norms = {name for name in norms if name.startswith("encoder.")}
    assert encoder_norms and (moved & encoder_norms) == (set() if frozen else encoder_norms)
    assert moved - encoder_norms == set(norms) - encoder_norms  # the decoder's always learn their statistics
    assert any(not torch.equal(p, weights[n]) for n, p in trainer.model.named_parameters() if n in weights)
    assert trainer.model.training and all(m.training for name, m in norms.items() if name not in encoder_norms)


def test_regression_head_trains_too(photo_dir, tmp_path):
    trainer = tiny_trainer(photo_dir, tmp_path, model={"head": "reg"})
    losses = [trainer.train_step()["loss"] for _ in range(30)]
    assert np.mean(losses[-6:]) < np.mean(losses[:6])


def test_checkpoint_resume_continues_exactly(photo_dir, tmp_path):
    a = tiny_trainer(photo_dir, tmp_path)
    for _ in range(3):
        a.train_step()
    a.save_checkpoint()
    b = tiny_trainer(photo_dir, tmp_path)
    assert "run checkpoint" in b.resume()
    assert b.step == a.step == 3
    for k, v in a.model.state_dict().items():
        assert torch.equal(v, b.model.state_dict()[k]), k
    la, lb = a.train_step(), b.train_step()
    assert la["loss"] == pytest.approx(lb["loss"], rel=1e-5)
    for k, v in a.model.state_dict().items():
        assert torch.allclose(v, b.model.state_dict()[k], atol=1e-6), k


def test_resume_from_exported_weights_alone(photo_dir, tmp_path):
    a = tiny_trainer(photo_dir, tmp_path)
    for _ in range(2):
        a.train_step()
    a.export()
    b = tiny_trainer(photo_dir, tmp_path)
    assert "new optimizer" in b.resume()  # no run folder: weights only
    assert b.step == 2
    sd = b.model.state_dict()
    for k, v in a.model.state_dict().items():
        assert torch.allclose(v.float(), sd[k].float(), atol=2e-2, rtol=2e-3), k


def test_metrics_match_hand_computed_values():
    a = np.zeros((8, 8, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 255  # one channel of one pixel off by 255: MSE = 255² / 192
    assert psnr(a, b) == pytest.approx(10 * np.log10(192), abs=1e-9)
    assert psnr(a, a) == float("inf")
    assert ssim(a, a) == pytest.approx(1.0)
    img = np.zeros((2, 1, 3), np.uint8)
    img[0] = (255, 0, 0)  # rg = 255, yb = 127.5
    img[1] = (0, 0, 255)  # rg = 0,   yb = 255
    rg, yb = np.array([255.0, 0.0]), np.array([127.5, 255.0])
    expected = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    assert colorfulness(img) == pytest.approx(expected)
    assert colorfulness(np.full((3, 3, 3), 77, np.uint8)) == 0.0


def test_gray_baseline_has_no_color_and_keeps_lightness():
    rgb = data.coffee()[:64, :64]
    base = gray_baseline(rgb)
    assert colorfulness(base) < 0.5
    L = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[..., 0].astype(int)
    assert np.abs(cv2.cvtColor(base, cv2.COLOR_RGB2Lab)[..., 0].astype(int) - L).max() <= 2


def test_a_model_keeping_its_rebalancing_and_the_script_for_older_weights_store_the_same_class_weights(
        photo_dir, tmp_path):
    cache = build_cache([photo_dir], tmp_path / "cache")
    config = TrainConfig(batch_size=4, steps=1, warmup=1, val_images=1, crop=CropConfig(size=48), rebalance=0.5,
                         model={"keeps_rebalancing": True})
    validation = split_of(cache, validation_names())
    kept = Trainer(config, cache, tmp_path / "run", tmp_path / "kept.pt", validation=validation)
    kept.train_step()
    kept.export()
    stored = read_checkpoint(tmp_path / "kept.pt")["state_dict"]["rebalance_log_w"].float()
    assert torch.allclose(stored, kept.class_weights.log(), atol=2e-3)
    assert float(stored.max() - stored.min()) > 1.0, "rare colors are weighted up"

    older = Trainer(dataclasses.replace(config, model={}), cache, tmp_path / "run2", tmp_path / "older.pt",
                    validation=validation)
    older.init_from(tmp_path / "kept.pt")  # a file's kept class weights are not a tensor to learn from
    older.export()
    other = Trainer(dataclasses.replace(config, rebalance=0.9), cache, tmp_path / "run3", tmp_path / "other.pt",
                    validation=validation)
    other.init_from(tmp_path / "kept.pt")
    assert torch.allclose(other.shipped.rebalance_log_weights(), other.class_weights.log())
    assert not torch.allclose(other.class_weights.log(), stored, atol=0.05), "a run keeps its own class weights"
    assert "rebalance_log_w" not in read_checkpoint(tmp_path / "older.pt")["state_dict"]
    script = Path(__file__).parents[1] / "scripts" / "keep_rebalancing.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "older.pt"), str(photo_dir),
                           "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rebuilt = load_model(weights=tmp_path / "older.pt", device="cpu").net.rebalance_log_weights()
    assert torch.equal(rebuilt, stored)
