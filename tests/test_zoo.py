"""Every model of the zoo builds, learns, round-trips through its weights file and runs on video."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from media import make_video, video_facts
from skimage import data

from vidcolor import colorize_video, load_model
from vidcolor.cli import main
from vidcolor.cli.evaluate import shown_decoding
from vidcolor.errors import VidcolorError
from vidcolor.models import zoo
from vidcolor.models.archs.base import AB_SCALE
from vidcolor.models.catalog import decodings_of, describe_decoding
from vidcolor.models.checkpoint import read_checkpoint
from vidcolor.pipeline.settings import InferenceConfig
from vidcolor.training.data import CropConfig, build_cache
from vidcolor.training.loop import Trainer, train_config

ALL = sorted(zoo.MODELS)


@pytest.fixture(scope="module")
def photo_cache(tmp_path_factory):
    """Twelve small color photos (scikit-image's), decoded into a training cache."""
    root = tmp_path_factory.mktemp("photos")
    folder = root / "skimage"
    folder.mkdir()
    for i, name in enumerate(["astronaut", "chelsea", "coffee"] * 4):
        img = data.__getattribute__(name)()[..., :3]
        y, x = (i * 29) % (img.shape[0] - 80), (i * 41) % (img.shape[1] - 80)
        cv2.imwrite(str(folder / f"{i:02d}.png"), img[y:y + 80, x:x + 80, ::-1])
    return build_cache([root], root / "cache")


@pytest.mark.parametrize("name", ALL)
def test_forward_shape_no_nans_and_gradients_reach_every_parameter(name):
    torch.manual_seed(0)
    model = zoo.build_model(name, pretrained=False).train()
    gray = torch.rand(2, 1, 48, 64) * 255
    out = model(gray)
    ab = model.decode_ab(out)
    assert ab.shape[:2] == (2, 2)
    stride = 48 // ab.shape[-2]
    assert stride in (1, 2, 4, 8) and ab.shape[-1] * stride == 64, "ab on a regular grid of the input"
    assert torch.isfinite(out).all() and torch.isfinite(ab).all()
    assert ab.abs().max() <= AB_SCALE
    target = torch.randn_like(ab) * 20
    (ab - target).abs().mean().backward()
    dead = [n for n, p in model.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert dead == [], f"no gradient reaches {dead[:5]}"


@pytest.mark.parametrize("name", ALL)
def test_trains_saves_reloads_and_colorizes_a_clip(name, photo_cache, tmp_path, fast_recipe):
    torch.manual_seed(0)
    config = train_config(name, batch_size=4, steps=40, warmup=1, val_images=1, crop=CropConfig(size=48))
    weights = tmp_path / f"{name}.pt"
    trainer = Trainer(config, photo_cache, tmp_path / "run", weights, pretrained=False)
    key = "l1" if config.gan else "loss"  # the adversarial part of a GAN's loss need not fall
    losses = [trainer.train_step()[key] for _ in range(40)]
    assert all(np.isfinite(losses))
    assert np.mean(losses[-8:]) < 0.9 * np.mean(losses[:8]), losses
    trainer.export()

    model = load_model(weights=weights, device="cpu")
    assert model.arch == name and model.info.steps == 40
    gray = torch.rand(1, 1, 32, 32) * 255
    with torch.inference_mode():
        expected = trainer.shipped.eval()(gray)
        assert torch.allclose(model.net(gray), expected, atol=0.05 * float(expected.abs().max()) + 1e-3)

    src = make_video(tmp_path / "clip.mp4", frames=6)
    result = colorize_video(src, recipe=replace(fast_recipe, weights=str(weights)), progress=False)
    a, b = video_facts(src), video_facts(result.output)
    assert len(b["times"]) == len(a["times"]) == result.frames == 6
    assert b["audio"] == a["audio"]


def test_models_command_lists_every_entry_and_the_default():
    result = CliRunner().invoke(main, ["models"])
    assert result.exit_code == 0, result.output
    table = result.output.split("\n\n")[0]
    rows = {line.split()[0]: line for line in table.splitlines()[1:] if line.strip()}
    assert set(zoo.MODELS) <= set(rows)
    assert "default" in rows[zoo.DEFAULT_MODEL]


def test_models_command_shows_how_films_decode_as_eval_resolves_it():
    """The film decoding a user gets without flags is listed, and it is the one eval measures with."""
    model = load_model()
    photo = shown_decoding(model, InferenceConfig().decoding)
    film = shown_decoding(model, InferenceConfig().for_film(model.info.film_decoding).decoding)
    assert film != photo, "the shipped weights decode films their own way"
    output = CliRunner().invoke(main, ["models"]).output
    assert f"{zoo.DEFAULT_MODEL} photos: {describe_decoding(photo)}" in output
    assert f"{zoo.DEFAULT_MODEL} films:  {describe_decoding(film)}" in output


@pytest.mark.parametrize("name", ALL)
def test_a_files_own_decodings_are_what_a_run_resolves(name):
    """decodings_of reads the file; shown_decoding asks the loaded network: they must agree for every model."""
    path = zoo.weights_for(name)
    if not path.exists():
        pytest.skip(f"{name} has no weights here")
    model = load_model(name)
    own = decodings_of(read_checkpoint(path))
    assert own["photos"] == shown_decoding(model, InferenceConfig().decoding)
    film = InferenceConfig().for_film(model.info.film_decoding).decoding
    assert own.get("films", own["photos"]) == shown_decoding(model, film)


def test_zoo_defaults_follow_the_papers():
    assert train_config("gan").optimizer == "adam" and train_config("gan").beta1 == 0.5
    assert train_config("gan").lr == 2e-4 and zoo.make_config("gan").head == "reg"
    assert train_config("resnet-deconv").reg_loss == "mse"
    assert train_config("unet-cls-flat").rebalance == 1.0 and train_config("unet-cls").rebalance < 1.0
    assert train_config("gan", lr=1e-3).lr == 1e-3, "what is given wins over the zoo's defaults"
    with pytest.raises(VidcolorError, match="unknown model 'nope'"):
        train_config("nope")
