"""A weights file's film decoding: films (runs, previews, Ray ranges, video eval) decode with it, photos with
the file's own config, and a user's flag still wins over both."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from media import make_video
from skimage import data

from vidcolor import InferenceConfig, colorize_image, colorize_video, load_model
from vidcolor.cli import main
from vidcolor.errors import VidcolorError
from vidcolor.models import ab_bins
from vidcolor.models.archs.base import Decoding
from vidcolor.models.checkpoint import atomic_save, read_checkpoint, state_digest
from vidcolor.pipeline.preview import preview

# far from any photo decoding, so a film shows it at once; every setting given, so it is the same by hand
PALE = {"temperature": 3.0, "cast_removal": 1.0, "confidence_gate": 0.0, "chroma_restore": 0.0}


def weights_with(folder, name: str, film: dict | None):
    """The shipped tensors and photo decoding with this film decoding (None: none, films decode as photos)."""
    ckpt = read_checkpoint(load_model().info.weights_path)
    ckpt.pop("film_decoding", None)
    if film is not None:
        ckpt["film_decoding"] = dict(film)
    atomic_save(ckpt, folder / name)
    return folder / name


@pytest.fixture(scope="module")
def film_weights(tmp_path_factory):
    return weights_with(tmp_path_factory.mktemp("weights"), "film.pt", PALE)


@pytest.fixture(scope="module")
def photo_only(tmp_path_factory):
    return weights_with(tmp_path_factory.mktemp("weights"), "photo.pt", None)


def frames_of(path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)]).astype(int)


def chroma(rgb: np.ndarray) -> float:
    lab = cv2.cvtColor(rgb.reshape(-1, rgb.shape[-2], 3).astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


def test_a_film_decodes_with_the_film_decoding_exactly_as_with_the_same_settings_given(tmp_path, film_weights,
                                                                                      photo_only, fast_recipe):
    src = make_video(tmp_path / "film.mp4", frames=8, width=96, height=64)
    shipped, filmic = load_model(weights=photo_only, device="cpu"), load_model(weights=film_weights, device="cpu")
    assert filmic.decoding["film_temperature"] == 3.0, "outputs are keyed by the film decoding too"
    colorize_video(src, tmp_path / "a.mp4", recipe=fast_recipe, model=filmic, progress=False)
    given = replace(fast_recipe, inference=replace(fast_recipe.inference, **PALE))
    colorize_video(src, tmp_path / "b.mp4", recipe=given, model=shipped, progress=False)
    colorize_video(src, tmp_path / "c.mp4", recipe=fast_recipe, model=shipped, progress=False)
    a, b, c = frames_of(tmp_path / "a.mp4"), frames_of(tmp_path / "b.mp4"), frames_of(tmp_path / "c.mp4")
    assert np.array_equal(a, b), "the film decoding is the same settings given by hand"
    assert chroma(a) < 0.9 * chroma(c), (chroma(a), chroma(c))

    # the same output name, other weights: not "up to date", done again with the film decoding
    again = colorize_video(src, tmp_path / "c.mp4", recipe=fast_recipe, model=filmic, progress=False)
    assert not again.skipped and np.array_equal(frames_of(tmp_path / "c.mp4"), a)


def test_a_photo_keeps_the_photo_decoding_and_a_flag_wins_over_the_film_one(tmp_path, film_weights, photo_only,
                                                                             fast_recipe):
    shipped, filmic = load_model(weights=photo_only, device="cpu"), load_model(weights=film_weights, device="cpu")
    gray = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY)
    config = InferenceConfig(render_size=64)
    assert np.array_equal(colorize_image(gray, model=filmic, config=config),
                          colorize_image(gray, model=shipped, config=config))

    src = make_video(tmp_path / "film.mp4", frames=6, width=96, height=64)
    flagged = replace(fast_recipe, inference=replace(fast_recipe.inference, temperature=0.95))
    colorize_video(src, tmp_path / "a.mp4", recipe=flagged, model=filmic, progress=False)
    by_hand = replace(fast_recipe, inference=replace(fast_recipe.inference, **(PALE | {"temperature": 0.95})))
    colorize_video(src, tmp_path / "b.mp4", recipe=by_hand, model=shipped, progress=False)
    assert np.array_equal(frames_of(tmp_path / "a.mp4"), frames_of(tmp_path / "b.mp4")), \
        "the flag's temperature, the film decoding's cast removal"

    vivid = replace(fast_recipe, inference=replace(fast_recipe.inference, vivid=True))
    colorize_video(src, tmp_path / "c.mp4", recipe=vivid, model=filmic, progress=False)
    colorize_video(src, tmp_path / "d.mp4", recipe=fast_recipe, model=shipped, progress=False)
    assert np.array_equal(frames_of(tmp_path / "c.mp4"), frames_of(tmp_path / "d.mp4")), \
        "vivid: the film decoded as a photo"


def test_a_run_report_records_the_decoding_a_film_was_made_with(tmp_path, film_weights):
    src = make_video(tmp_path / "film.mp4", frames=4, width=96, height=64, audio=False)
    report = tmp_path / "report.json"
    r = CliRunner().invoke(main, ["run", str(src), "--weights", str(film_weights), "--render-size", "64",
                                  "--preset", "ultrafast", "--report", str(report), "--quiet"])
    assert r.exit_code == 0, r.output
    inference = json.loads(report.read_text())["files"][0]["settings"]["inference"]
    assert inference == {"render_size": 64, "vivid": False, "scene_gain_power": None, "prior_correction": None,
                         "chroma_smoothing": None, "chroma_floor": None, **PALE}, inference


def test_a_preview_shows_the_film_decoding(tmp_path, film_weights, photo_only, fast_recipe):
    src = make_video(tmp_path / "film.mp4", frames=12, width=96, height=64)
    filmic, shipped = load_model(weights=film_weights, device="cpu"), load_model(weights=photo_only, device="cpu")
    given = replace(fast_recipe, inference=replace(fast_recipe.inference, **PALE))
    shown = preview(src, [0.5], filmic, fast_recipe)
    assert np.array_equal(shown, preview(src, [0.5], shipped, given))
    assert not np.array_equal(shown, preview(src, [0.5], shipped, fast_recipe))


def test_video_eval_measures_and_says_the_film_decoding(tmp_path, film_weights, photo_only):
    src = make_video(tmp_path / "clip.mp4", frames=6, width=96, height=64, gray=False)

    def table(*args: str) -> str:
        r = CliRunner().invoke(main, ["eval", str(src), "--render-size", "64", "--quiet", *args])
        assert r.exit_code == 0, r.output
        return r.output

    filmic, shipped = table("--weights", str(film_weights)), table("--weights", str(photo_only))
    assert "videos decoded as films: temperature 3.0, cast removal 1.0" in filmic, filmic
    assert "decoded as films" not in shipped
    by_hand = table("--weights", str(photo_only), "--temperature", "3", "--cast-removal", "1", "--chroma-restore", "0",
                    "--confidence-gate", "0")

    def rows(out: str) -> str:
        return out[out.index("\nvideo "):]  # the table, below the header lines

    assert rows(filmic) == rows(by_hand) and rows(filmic) != rows(shipped)


@pytest.mark.parametrize("stored", [{"temprature": 1.0}, {"temperature": "hot"}, {"cast_removal": -1.0}, [1.0],
                                    {"confidence_gate": True}])
def test_a_malformed_film_decoding_is_a_one_line_error(tmp_path, stored):
    ckpt = read_checkpoint(load_model().info.weights_path)
    ckpt["film_decoding"] = stored
    atomic_save(ckpt, tmp_path / "bad.pt")
    with pytest.raises(VidcolorError, match=r"bad\.pt: weights file has a malformed film decoding"):
        load_model(weights=tmp_path / "bad.pt")


def test_set_decoding_film_writes_the_film_decoding_and_leaves_the_rest(tmp_path):
    shipped = load_model()
    copy = weights_with(tmp_path, "w.pt", None)
    script = Path(__file__).parents[1] / "scripts" / "set_decoding.py"
    done = subprocess.run([sys.executable, str(script), str(copy), "2.0", "--cast-removal", "0.35", "--gate", "0.3",
                           "--film"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    model = load_model(weights=copy)
    assert model.info.film_decoding == Decoding(temperature=2.0, cast_removal=0.35, confidence_gate=0.3,
                                                chroma_restore=0.0)
    assert model.digest == shipped.digest and model.net.config == shipped.net.config, "tensors and photo decoding"
    refused = subprocess.run([sys.executable, str(script), str(copy), "2.0", "--stretch", "3", "--film"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "film decoding sets" in refused.stderr


def weights_keeping(folder, name: str, film: dict, keep: bool = True):
    """The shipped tensors with this film decoding, keeping a class rebalancing (that of the astronaut's colors)
    or, ``keep`` False, none at all."""
    ckpt = read_checkpoint(weights_with(folder, name, film))
    ckpt["state_dict"].pop("rebalance_log_w", None)
    ckpt["config"]["keeps_rebalancing"] = keep
    if keep:
        ab = cv2.cvtColor(data.astronaut().astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1:].reshape(-1, 2)
        w = ab_bins.rebalance_weights(ab_bins.empirical_prior(ab), 0.7)
        ckpt["state_dict"]["rebalance_log_w"] = torch.from_numpy(np.log(w)).half()
    ckpt["sha256"] = state_digest(ckpt["state_dict"])
    atomic_save(ckpt, folder / name)
    return folder / name


def film_by_hand_and_plain(tmp_path, recipe, filmic, plain, **by_hand) -> tuple[np.ndarray, ...]:
    """A film's frames three ways: with ``filmic``'s film decoding, with ``plain`` weights given ``by_hand``
    settings, and with ``plain`` as it is."""
    src = make_video(tmp_path / "film.mp4", frames=6, width=96, height=64)
    given = replace(recipe, inference=replace(recipe.inference, **by_hand))
    for name, model, r in (("a", filmic, recipe), ("b", plain, given), ("c", plain, recipe)):
        colorize_video(src, tmp_path / f"{name}.mp4", recipe=r, model=model, progress=False)
    return tuple(frames_of(tmp_path / f"{name}.mp4") for name in "abc")


@pytest.mark.parametrize("setting", [{"chroma_smoothing": 3.0}, {"chroma_floor": 6.0}])
def test_a_film_decodings_own_setting_is_the_same_setting_given_by_hand(tmp_path, fast_recipe, setting):
    film = {"temperature": 0.8, "cast_removal": 0.5, "confidence_gate": 0.0, "chroma_restore": 0.0}
    own = load_model(weights=weights_with(tmp_path, "own.pt", film | setting), device="cpu")
    plain = load_model(weights=weights_with(tmp_path, "plain.pt", film), device="cpu")
    assert own.info.film_decoding == Decoding(**film, **setting)
    a, b, c = film_by_hand_and_plain(tmp_path, fast_recipe, own, plain, **setting)
    assert len(a) == 6 and np.array_equal(a, b)
    assert not np.array_equal(a, c), "the setting changes the colors"


def test_a_film_decoding_may_undo_the_class_rebalancing_the_weights_keep(tmp_path, fast_recipe):
    undone = weights_keeping(tmp_path, "undone.pt", {"prior_correction": 1.0, **PALE, "cast_removal": 0.0})
    kept = weights_keeping(tmp_path, "kept.pt", {**PALE, "cast_removal": 0.0})
    filmic, plain = load_model(weights=undone, device="cpu"), load_model(weights=kept, device="cpu")
    assert filmic.info.film_decoding.prior_correction == 1.0
    a, b, c = film_by_hand_and_plain(tmp_path, fast_recipe, filmic, plain, prior_correction=1.0)
    assert np.array_equal(a, b), "the film decoding's correction is the same setting given by hand"
    assert not np.array_equal(a, c), "undoing the rebalancing changes the colors"
    # photos keep the photo decoding, which undoes nothing
    gray = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY)
    assert np.array_equal(colorize_image(gray, model=filmic, config=InferenceConfig(render_size=64)),
                          colorize_image(gray, model=plain, config=InferenceConfig(render_size=64)))


def test_undoing_a_rebalancing_the_weights_do_not_keep_is_a_one_line_error(tmp_path):
    bad = weights_keeping(tmp_path, "forgetful.pt", {"prior_correction": 1.0}, keep=False)
    src = make_video(tmp_path / "film.mp4", frames=2, width=64, height=48, audio=False)
    r = CliRunner().invoke(main, ["run", str(src), "--weights", str(bad), "--quiet"])
    assert r.exit_code != 0 and "forgetful.pt" in r.output and "prior_correction" in r.output, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.mp4", "forgetful.pt"], "nothing written"
