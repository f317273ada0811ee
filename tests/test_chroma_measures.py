"""The measures that see casts and hues, against hand-computed values; the film look is seeded;
the validation split never reaches a training batch."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from media import make_video
from skimage import data

from vidcolor import load_model
from vidcolor.cli import main
from vidcolor.eval.chroma import chroma_scores, summarize
from vidcolor.media.color import lab_to_rgb
from vidcolor.media.degrade import FilmReel, degrade_film, seed_for
from vidcolor.models import ab_bins
from vidcolor.models.archs.base import Decoding, remove_cast, stretch_tones
from vidcolor.models.checkpoint import atomic_save, read_checkpoint
from vidcolor.training.data import CropConfig, CropSampler, build_cache
from vidcolor.training.split import in_validation, validation_names


def picture(ab_left: tuple[float, float], ab_right: tuple[float, float], L: float = 60.0) -> np.ndarray:
    """A two-halves picture in Lab as float RGB in [0, 1]."""
    lab = np.zeros((8, 16, 3), np.float32)
    lab[..., 0] = L
    lab[:, :8, 1:], lab[:, 8:, 1:] = ab_left, ab_right
    return lab_to_rgb(lab)


def test_a_perfect_prediction_and_the_gray_baseline():
    truth = picture((30, 10), (0, 0))
    lab = cv2.cvtColor(truth, cv2.COLOR_RGB2Lab)
    perfect = chroma_scores(truth, lab[..., 1:])
    gray = chroma_scores(truth, np.zeros_like(lab[..., 1:]))
    assert perfect.chroma_psnr > 60 and perfect.gain > 30
    assert gray.gain == 0 and gray.cf_sigma == pytest.approx(0, abs=1e-3)
    assert perfect.hue45 == 1.0 and gray.hue45 == 0.0  # gray shows no hue at all
    assert perfect.neutral_cast == pytest.approx(np.hypot(*lab[0, 12, 1:]), abs=0.5) and gray.neutral_cast == 0


def test_hue45_counts_only_vivid_truth_within_45_degrees():
    truth = picture((30, 0), (0, 30))  # hue 0° on the left, 90° on the right, both vivid
    pred = np.zeros((8, 16, 2), np.float32)
    pred[:, :8] = (20 * np.cos(np.radians(40)), 20 * np.sin(np.radians(40)))  # 40° off: counts
    pred[:, 8:] = (20 * np.cos(np.radians(140)), 20 * np.sin(np.radians(140)))  # 50° off: does not
    assert chroma_scores(truth, pred).hue45 == pytest.approx(0.5, abs=0.02)
    pred[:, :8] *= 0.2  # chroma 4 < 5: not shown, does not count either
    assert chroma_scores(truth, pred).hue45 == pytest.approx(0.0, abs=0.02)


def test_the_neutral_cast_is_the_mean_chroma_painted_on_neutral_truth():
    truth = picture((0, 0), (40, 40))
    pred = np.zeros((8, 16, 2), np.float32)
    pred[:, :8] = (6, 8)  # chroma 10 on the neutral half
    pred[:, 8:] = (40, 40)
    assert chroma_scores(truth, pred).neutral_cast == pytest.approx(10.0, abs=0.3)


def test_cf_sigma_ignores_a_uniform_tint_but_colorfulness_would_not():
    truth = picture((20, 20), (-20, -20))
    tint = np.full((8, 16, 2), 25.0, np.float32)  # one orange cast over everything
    s = chroma_scores(truth, tint)
    assert s.cf_sigma < 0.05 * s.cf_sigma_true  # a uniform tint has no spread
    assert summarize([s, s]).cf_sigma_ratio == pytest.approx(s.cf_sigma / s.cf_sigma_true)


def test_the_film_look_is_seeded_and_changes_the_picture():
    gray = data.camera()[::4, ::4].astype(np.float32)
    a = degrade_film(gray, np.random.default_rng(seed_for("reel.png")))
    b = degrade_film(gray, np.random.default_rng(seed_for("reel.png")))
    c = degrade_film(gray, np.random.default_rng(seed_for("other.png")))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.shape == gray.shape and a.dtype == np.float32 and a.min() >= 0 and a.max() <= 255
    assert np.abs(a - gray).mean() > 3


def test_a_reel_keeps_one_look_for_the_clip_and_draws_grain_dust_and_flicker_per_frame():
    gray = data.camera()[::4, ::4].astype(np.float32)
    reel, again = (FilmReel(np.random.default_rng(seed_for("reel.mp4"))) for _ in range(2))
    frames = [reel(gray) for _ in range(4)]
    assert all(np.array_equal(f, again(gray)) for f in frames), "seeded: the same reel every time"
    assert all(f.shape == gray.shape and f.dtype == np.float32 and f.min() >= 0 and f.max() <= 255 for f in frames)
    assert not np.array_equal(frames[0], frames[1]), "the grain is new in every frame"

    def tone(frame: np.ndarray) -> np.ndarray:
        """The reel's tone curve without the grain and the flicker (a gain): quantiles over the median."""
        q = np.percentile(cv2.GaussianBlur(frame, (0, 0), 2), [5, 25, 50, 75, 95])
        return q / q[2]

    reels = [[FilmReel(np.random.default_rng(seed_for(n)))] for n in ("a.mp4", "b.mp4", "c.mp4")]
    shown = [[r[0](gray) for _ in range(4)] for r in reels]
    within = np.mean([max(np.abs(tone(f) - tone(fs[0])).max() for f in fs[1:]) for fs in shown])
    across = np.mean([np.abs(tone(shown[k][0]) - tone(shown[k - 1][0])).max() for k in range(3)])
    assert within < 0.5 * across, ("one look for the whole reel", within, across)


def test_video_eval_makes_each_clip_a_film_like_reel_the_same_way_every_time(tmp_path):
    src = make_video(tmp_path / "clip.mp4", frames=6, width=96, height=64, gray=False)

    def table(*args: str) -> str:
        r = CliRunner().invoke(main, ["eval", str(src), "--render-size", "64", "--quiet", *args])
        assert r.exit_code == 0, r.output
        return r.output

    def rows(out: str) -> list[str]:
        return out[out.index("\nvideo "):].splitlines()

    clean, film = table(), table("--degrade", "film")
    assert "inputs degraded: film" in film and "inputs degraded" not in clean
    assert rows(film) == rows(table("--degrade", "film")), "seeded by the clip's name"
    def method(out: str, name: str) -> list[str]:
        return [r for r in rows(out) if r.startswith("clip.mp4") and name in r]

    assert method(clean, "original") == method(film, "original"), "the truth is the clean clip"
    assert method(clean, "temporal") != method(film, "temporal")
    refused = CliRunner().invoke(main, ["eval", str(src), "--degrade", "film", "--keyframes", "shots"])
    assert refused.exit_code == 2 and "--degrade" in refused.output


def test_the_validation_split_never_reaches_a_training_batch(tmp_path):
    folder = tmp_path / "photos" / "set"
    folder.mkdir(parents=True)
    names = []
    for i in range(40):
        cv2.imwrite(str(folder / f"{i:03d}.png"), np.full((24, 24, 3), i * 6, np.uint8))
        names.append(f"set/{i:03d}.png")
    held = frozenset(n for n in names if in_validation(n, 0.25))
    assert 0 < len(held) < 40
    cache = build_cache([tmp_path / "photos"], tmp_path / "cache")
    sampler = CropSampler(cache, CropConfig(size=16), seed=0, validation=held)
    held_rows = {i for i, n in enumerate(cache.names) if n in held}
    assert set(sampler.train_ids.tolist()).isdisjoint(held_rows) and set(sampler.holdout_ids.tolist()) == held_rows
    values = {int(cache.image(i)[0, 0, 0]) for i in held_rows}  # each photo has its own gray level
    for _ in range(20):
        gray, _ = sampler.batch(8)
        assert not any(int(np.rint(g)) in values for g in gray[:, 0, 8, 8]), "a held-out photo was trained on"


def test_the_ab_prior_is_a_fixed_sample_of_the_photos_colors_and_leaves_the_stream_as_found(tmp_path):
    (tmp_path / "photos" / "set").mkdir(parents=True)
    reds = lab_to_rgb(np.dstack([np.full((24, 24), 50.0), np.full((24, 24), 40.0), np.full((24, 24), 20.0)]))
    for i in range(6):  # five red photos, one gray: the red bin must lead the prior
        rgb = reds if i else np.full((24, 24, 3), 0.5, np.float32)
        cv2.imwrite(str(tmp_path / "photos" / "set" / f"{i}.png"), (rgb[..., ::-1] * 255).round().astype(np.uint8))
    cache = build_cache([tmp_path / "photos"], tmp_path / "cache")
    a = CropSampler(cache, CropConfig(size=16), seed=0)
    b = CropSampler(cache, CropConfig(size=16), seed=0)
    prior = a.ab_prior(64)
    assert prior.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(prior, b.ab_prior(64))  # the same sample every time
    np.testing.assert_array_equal(a.batch(4)[0], CropSampler(cache, CropConfig(size=16), seed=0).batch(4)[0])
    red_bin = int(ab_bins.nearest_bin(torch.tensor([40.0, 20.0]).view(1, 2, 1, 1)))
    gray_bin = int(ab_bins.nearest_bin(torch.zeros(1, 2, 1, 1)))
    blue_bin = int(ab_bins.nearest_bin(torch.tensor([-40.0, -40.0]).view(1, 2, 1, 1)))
    assert prior[red_bin] > prior[gray_bin] > prior[blue_bin]


def test_the_committed_split_is_five_percent_of_each_folder():
    names = validation_names()
    assert len(names) > 900 and all("/" in n for n in names)
    assert all(in_validation(n) for n in list(names)[:200])


def test_the_confidence_gate_leans_unsure_pixels_to_neutral_and_keeps_sure_ones():
    q = ab_bins.NUM_BINS
    sure = torch.full((1, q, 1, 1), -20.0)
    sure[0, 100] = 20.0  # all the mass on one bin
    unsure = torch.zeros((1, q, 1, 1))  # uniform: entropy log Q
    assert float(ab_bins.confidence(sure)) == pytest.approx(1.0, abs=1e-3)
    assert float(ab_bins.confidence(unsure)) == pytest.approx(0.0, abs=1e-5)
    plain = ab_bins.decode_logits(sure, 1.0)
    assert torch.allclose(ab_bins.decode_logits(sure, 1.0, gate=0.4), plain)
    assert torch.allclose(ab_bins.decode_logits(unsure, 1.0, gate=0.4), torch.zeros(1, 2, 1, 1), atol=1e-4)


def test_cast_removal_takes_each_pictures_mean_and_keeps_its_differences():
    ab = torch.zeros(2, 2, 4, 4)
    ab[0, 0] = 20.0  # picture 0: an orange-red cast everywhere (a = 20)
    ab[0, 0, :, :2] = 40.0  # its left half redder: mean a = 30
    ab[1, 1] = -10.0  # picture 1: a blue cast (b = -10)
    assert torch.equal(remove_cast(ab, 0.0), ab)
    gray_world = remove_cast(ab, 1.0)
    assert torch.allclose(gray_world.mean(dim=(2, 3)), torch.zeros(2, 2), atol=1e-5)
    assert torch.allclose(gray_world[0, 0, 0], torch.tensor([10.0, 10.0, -10.0, -10.0])), "differences kept"
    half = remove_cast(ab, 0.5)
    assert float(half[0, 0, 0, 3]) == pytest.approx(20.0 - 15.0) and float(half[1, 1, 2, 2]) == pytest.approx(-5.0)
    assert float(half[0, 1].abs().max()) == 0.0, "per picture and per channel"


def test_a_weights_files_cast_removal_setting_reaches_its_colors(tmp_path):
    ckpt = read_checkpoint(load_model().info.weights_path)
    ckpt["config"]["cast_removal"] = 1.0
    atomic_save(ckpt, tmp_path / "gray-world.pt")
    gray = torch.from_numpy(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY).astype(np.float32))[None, None]
    plain = load_model().predict_ab(gray)
    world = load_model(weights=tmp_path / "gray-world.pt").predict_ab(gray)
    assert float(plain.mean(dim=(2, 3)).abs().max()) > 1.0, "the network paints a picture-wide mean"
    assert float(world.mean(dim=(2, 3)).abs().max()) < 0.05
    assert torch.allclose(world - world.mean(dim=(2, 3), keepdim=True),
                          plain - plain.mean(dim=(2, 3), keepdim=True), atol=1e-3), "its differences kept"


def test_tone_stretch_spreads_lifted_blacks_and_keeps_a_full_range_picture():
    full = torch.linspace(0, 255, 1000).reshape(1, 1, 20, 50)
    assert torch.allclose(stretch_tones(full, 3.0), full, atol=3.0)
    faded = torch.cat([60 + full * 0.5, full])  # blacks lifted to 60, whites rolled off at 187; and a full one
    out = stretch_tones(faded, 3.0)
    assert out[0].min() < 5 and out[0].max() > 250 and torch.allclose(out[1], full, atol=3.0), "per picture"
    one = stretch_tones(faded, 1.0)[0]
    assert float(one.max() - one.min()) == pytest.approx(127.5, abs=1.5), "gain capped"


def test_a_decoding_changes_one_call_and_leaves_the_weights_settings_alone():
    net = load_model(device="cpu").net
    config_before = dict(vars(net.config))
    gray = torch.from_numpy(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY).astype(np.float32))[None, None]
    with torch.inference_mode():
        out = net(gray.contiguous(memory_format=torch.channels_last))
        own = net.decode_ab(out)
        explicit = net.decode_ab(out, Decoding(temperature=net.config.temperature,
                                               cast_removal=net.config.cast_removal,
                                               chroma_restore=net.config.chroma_restore))
        gated = net.decode_ab(out, Decoding(confidence_gate=0.9))
        hot = net.decode_ab(out, Decoding(temperature=2.0))
    assert torch.equal(own, explicit), "None and the weights' own values decode alike"
    chroma = own.norm(dim=1)
    assert float(gated.norm(dim=1).mean()) < 0.9 * float(chroma.mean()), "a high gate leans to neutral"
    assert float(hot.norm(dim=1).mean()) < 0.9 * float(chroma.mean()), "a high temperature paints paler"
    assert dict(vars(net.config)) == config_before
    assert torch.equal(net.decode_ab(out), own), "the next call decodes with the weights' settings again"


def test_a_weights_files_chroma_restoration_reaches_its_colors_and_keeps_their_hues(tmp_path):
    ckpt = read_checkpoint(load_model().info.weights_path)
    ckpt["config"]["chroma_restore"] = 0.5
    atomic_save(ckpt, tmp_path / "restored.pt")
    gray = torch.from_numpy(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY).astype(np.float32))[None, None]
    off = Decoding(cast_removal=0.0)  # the mean taken away would move hues; compare the decodings before it
    model = load_model(weights=tmp_path / "restored.pt")
    with torch.inference_mode():
        out = model.net(gray)
        plain = model.net.decode_ab(out, Decoding(cast_removal=0.0, chroma_restore=0.0))
        restored = model.net.decode_ab(out, off)  # the file's own 0.5
    gain = restored.norm(dim=1) / plain.norm(dim=1).clamp(min=1e-3)
    shown = plain.norm(dim=1) > 2
    assert float(gain[shown].min()) >= 0.999 and float(gain[shown].mean()) > 1.05, "chroma only raised"
    cos = (restored * plain).sum(1)[shown] / (restored.norm(dim=1) * plain.norm(dim=1))[shown]
    assert float(cos.min()) > 0.999, "hue kept"
    through_api = model.predict_ab(gray, off).norm(dim=1).mean() / load_model().predict_ab(gray, off).norm(dim=1).mean()
    assert float(through_api) > 1.05, "the setting reaches predict_ab"


def test_the_video_summary_counts_the_flicker_colorization_adds_and_says_when_there_is_none():
    from vidcolor.eval.chroma import ChromaSummary
    from vidcolor.eval.tables import summarize_videos
    from vidcolor.eval.videos import VideoScores

    def clip(orig: float, off: float, on: float, gain: float) -> list[VideoScores]:
        chroma = ChromaSummary(10, 25.0, gain, 0.7, 0.6, 5.0)
        return [VideoScores("original", orig, 0.04, float("nan"), 30.0, None),
                VideoScores("temporal off", off, 0.08, 20.0, 28.0, chroma),
                VideoScores("temporal flow", on, 0.05, 20.5, 27.0, chroma)]

    # mean original 0.0002, off 0.0006, temporal 0.0003: 0.0004 added, 0.0003 of it taken away
    line = summarize_videos({"a": clip(0.0001, 0.0005, 0.0002, -1.0), "b": clip(0.0003, 0.0007, 0.0004, +3.0)})
    assert "1.500x original; flicker excess cut 75%" in line, line
    assert "mean +1.00 dB, worst clip -1.00 dB, 0 of 2 clips below -1 dB" in line, line
    harmed = summarize_videos({"a": clip(0.0001, 0.0005, 0.0002, -1.5), "b": clip(0.0003, 0.0007, 0.0004, -1.01),
                               "c": clip(0.0003, 0.0007, 0.0004, +2.0)})
    assert "worst clip -1.50 dB, 2 of 3 clips below -1 dB" in harmed, harmed
    below = summarize_videos({"a": clip(0.0003, 0.0006, 0.0002, 0.0)})
    assert "flicker excess cut 100%, below the original's own" in below, below
    pale = summarize_videos({"a": clip(0.0003, 0.0002, 0.0002, 0.0)})
    assert "per-frame color adds no flicker beyond the original's" in pale and "%" not in pale, pale
