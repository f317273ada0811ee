"""The command line: outputs where expected, one clear line for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from media import make_video, video_facts
from skimage import data

from vidcolor import load_model
from vidcolor.cli import main

FAST = ["--render-size", "64", "--preset", "ultrafast", "--quiet"]


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_version_and_help():
    assert run("--version").output.startswith("vidcolor, version")
    out = run("run", "--help").output
    assert "--render-size" in out and "--overwrite" in out


def test_run_writes_default_output_beside_input_then_skips_it(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=6)
    r = run("run", src, *FAST)
    assert r.exit_code == 0, r.output
    out = tmp_path / "film.colorized.mp4"
    assert len(video_facts(out)["times"]) == 6
    made = out.stat().st_mtime_ns
    again = run("run", src, *FAST)
    assert again.exit_code == 0 and "up to date" in again.output
    assert out.stat().st_mtime_ns == made
    assert run("run", src, *FAST, "--crf", "30").exit_code == 0  # other settings: redone
    assert out.stat().st_mtime_ns != made
    assert run("run", src, *FAST, "--crf", "30", "--overwrite").exit_code == 0


def test_every_option_group_reaches_the_recipe_the_report_records(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=4, audio=False)
    report = tmp_path / "report.json"
    r = run("run", src, "--render-size", "48", "--temperature", "0.9", "--cast-removal", "0.3",
            "--chroma-restore", "0.2", "--confidence-gate", "0.1", "--chroma-smoothing", "3", "--chroma-floor", "2.5",
            "--strength", "0.5",
            "--predict-every", "3",
            "--crf", "30", "--preset", "ultrafast", "--segment-seconds", "5",
            "--model-workers", "1", "--no-jit", "--batch-size", "2", "--device", "cpu", "--report", report, "--quiet")
    assert r.exit_code == 0, r.output
    settings = json.loads(report.read_text())["files"][0]["settings"]
    assert settings["inference"] == {"render_size": 48, "temperature": 0.9, "cast_removal": 0.3, "chroma_restore": 0.2,
                                     "confidence_gate": 0.1, "chroma_smoothing": 3.0, "chroma_floor": 2.5,
                                     "scene_gain_power": None,
                                     "vivid": False,
                                     # a film: what the flags leave to the weights is their film decoding's
                                     "prior_correction": load_model().info.film_decoding.prior_correction}
    assert (settings["temporal"]["method"], settings["temporal"]["strength"],
            settings["temporal"]["predict_every"]) == ("flow", 0.5, 3)
    encode = settings["encode"]
    assert (encode["crf"], encode["preset"], settings["segment_seconds"]) == (30, "ultrafast", 5)
    off = run("run", src, "-o", tmp_path / "off.mp4", "--temporal", "off", "--render-size", "48", "--report", report,
              "--quiet")
    assert off.exit_code == 0 and json.loads(report.read_text())["files"][0]["settings"]["temporal"]["method"] == "off"


def test_a_file_vidcolor_did_not_make_is_never_replaced_without_overwrite(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=3, audio=False)
    foreign = tmp_path / "film.colorized.mp4"
    foreign.write_bytes(b"somebody's edit")
    r = run("run", src, *FAST)
    assert r.exit_code == 1 and "exists" in r.output and "--overwrite" in r.output
    assert foreign.read_bytes() == b"somebody's edit"
    assert run("run", src, *FAST, "--overwrite").exit_code == 0


def test_photo_becomes_png(tmp_path):
    src = tmp_path / "photo.jpg"
    cv2.imwrite(str(src), cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2GRAY))
    r = run("run", src, *FAST)
    assert r.exit_code == 0, r.output
    png = cv2.imread(str(tmp_path / "photo.colorized.png"))
    assert png.shape[:2] == data.coffee().shape[:2]
    gray_in = cv2.imread(str(src), cv2.IMREAD_GRAYSCALE).astype(float)
    lab = cv2.cvtColor(png, cv2.COLOR_BGR2Lab)
    assert np.abs(lab[..., 1:].astype(float) - 128).mean() > 2  # has chroma
    assert np.corrcoef(gray_in.ravel(), cv2.cvtColor(png, cv2.COLOR_BGR2GRAY).ravel())[0, 1] > 0.98


def test_cast_removal_takes_the_pictures_mean_color_and_a_new_value_redoes_the_output(tmp_path):
    src = tmp_path / "photo.png"
    cv2.imwrite(str(src), cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2GRAY))
    out = tmp_path / "photo.colorized.png"

    def mean_ab(*extra: str) -> np.ndarray:
        r = run("run", src, *FAST, *extra)
        assert r.exit_code == 0 and "up to date" not in r.output, r.output
        lab = cv2.cvtColor(cv2.imread(str(out)).astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        return lab[..., 1:].reshape(-1, 2).mean(0)

    painted, gray_world = mean_ab("--cast-removal", "0"), mean_ab("--cast-removal", "1")
    assert np.hypot(*painted) > 3 * np.hypot(*gray_world), (painted, gray_world)
    assert run("run", src, "--cast-removal", "1.5").exit_code == 2, "0..1 only"


def test_chroma_restore_makes_a_photo_more_vivid_and_a_new_value_redoes_the_output(tmp_path):
    src = tmp_path / "photo.png"
    cv2.imwrite(str(src), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY))
    out = tmp_path / "photo.colorized.png"

    def mean_chroma(value: str) -> float:
        r = run("run", src, *FAST, "--cast-removal", "0", "--chroma-restore", value)
        assert r.exit_code == 0 and "up to date" not in r.output, r.output
        lab = cv2.cvtColor(cv2.imread(str(out)).astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
        return float(np.hypot(lab[..., 1], lab[..., 2]).mean())

    plain, restored = mean_chroma("0"), mean_chroma("1")
    assert restored > 1.1 * plain, (plain, restored)
    assert run("run", src, "--chroma-restore", "-0.1").exit_code == 2, "0..1 only"


def test_preview_has_gray_and_color_for_each_time(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=24, width=80, height=48)
    out = tmp_path / "p.png"
    r = run("preview", src, "--at", "0.5", "--at", "0:01.2", "-o", out, "--render-size", "64", "--vivid")
    assert r.exit_code == 0, r.output
    img = cv2.imread(str(out))
    assert img.shape[0] == 2 * (48 + 4)
    assert img.shape[1] == 80 * 2 + 4
    left, right = img[:48, :80].astype(int), img[:48, 84:].astype(int)
    assert np.abs(left[24:, :, 0] - left[24:, :, 2]).max() <= 1  # gray (below the time label)
    assert np.abs(right[..., 0] - right[..., 2]).mean() > 1  # colored

    late = run("preview", src, "--at", "3", "-o", tmp_path / "late.png", "--render-size", "64")
    assert late.exit_code == 1 and late.output.strip().count("\n") == 0, late.output
    assert "3.00 s is past the end of the film (2.00 s long)" in late.output and "film.mp4" in late.output
    assert not (tmp_path / "late.png").exists()


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "file is empty"),
    (b"this is not a video at all" * 10, "not a media file"),
])
def test_bad_inputs_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    r = run("run", path, *FAST)
    assert r.exit_code == 1
    assert r.output.strip().count("\n") == 0
    assert message in r.output and "bad.mp4" in r.output


def test_unknown_model_and_bad_weights_are_one_line_errors(tmp_path):
    src = make_video(tmp_path / "film.mp4", frames=3, audio=False)
    r = run("run", src, "--model", "nope", *FAST)
    assert r.exit_code == 1 and "unknown model 'nope'" in r.output
    r = run("run", src, "--weights", tmp_path / "missing.pt", *FAST)
    assert r.exit_code == 1 and "weights file not found" in r.output
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x00garbage" * 100)
    r = run("run", src, "--weights", corrupt, *FAST)
    assert r.exit_code == 1 and "corrupt" in r.output


def test_real_process_prints_no_traceback(tmp_path):
    bad = tmp_path / "broken.mov"
    bad.write_bytes(b"\x00\x00\x00\x18ftypqt  " + b"\x17" * 200)
    proc = subprocess.run([sys.executable, "-m", "vidcolor", "run", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("vidcolor: error:") and "broken.mov" in proc.stderr


def test_eval_measures_a_photo_folder_and_keeps_the_colorized_photos(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("astronaut", "coffee"):
        cv2.imwrite(str(photos / f"{name}.png"), cv2.resize(getattr(data, name)(), (96, 64))[..., ::-1])
    saved = tmp_path / "saved"  # the folder and its per-target subfolder do not exist yet
    r = run("eval", photos, "--render-size", "64", "--save", saved, "--quiet", "--cast-removal", "0.5")
    assert r.exit_code == 0, r.output
    assert "photos (2 photos" in r.output and "gray baseline" in r.output and "cast removal 0.5" in r.output
    model_row = next(line for line in r.output.splitlines() if line.startswith("model"))
    gray_row = next(line for line in r.output.splitlines() if line.startswith("gray baseline"))
    assert float(model_row.split()[3]) > float(gray_row.split()[3]) + 1  # colorfulness: the model adds color
    kept = sorted(p.name for p in (saved / "photos").iterdir())
    assert kept == ["astronaut.png", "coffee.png"]
    img = cv2.imread(str(saved / "photos" / "coffee.png"))
    assert img.shape == (64, 96, 3) and np.abs(img[..., 0].astype(int) - img[..., 2]).mean() > 1  # colored
