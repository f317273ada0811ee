"""Shots: cuts found as the temporal stage finds them, one gray frame per shot exported by its index."""

from __future__ import annotations

import json
from fractions import Fraction

import av
import cv2
import numpy as np
from click.testing import CliRunner
from media import scene

from vidcolor.cli import main


def two_shot_film(path, frames_each: int = 10):
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=10)
        vs.width, vs.height, vs.pix_fmt = 96, 64, "yuv420p"
        vs.options = {"preset": "ultrafast"}
        for i in range(2 * frames_each):
            rgb = scene(96, 64, i % frames_each, "astronaut" if i < frames_each else "coffee")
            g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            f = av.VideoFrame.from_ndarray(np.dstack([g] * 3), format="rgb24")
            f.pts, f.time_base = i, Fraction(1, 10)
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
    return path


def test_shots_are_listed_and_one_gray_frame_each_is_exported(tmp_path):
    film = two_shot_film(tmp_path / "film.mp4")
    result = CliRunner().invoke(main, ["shots", str(film), "--json", "--export", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    shots = json.loads(result.output[: result.output.rindex("]") + 1])
    assert [(s["first"], s["last"]) for s in shots] == [(0, 9), (10, 19)]
    assert shots[1]["start"] == 1.0
    exported = sorted(int(p.stem) for p in (tmp_path / "keys").glob("*.png"))
    assert exported == sorted(s["keyframe"] for s in shots)
    assert 0 <= exported[0] <= 9 and 10 <= exported[1] <= 19
    png = cv2.imread(str(tmp_path / "keys" / f"{exported[0]}.png"))
    assert png.shape == (64, 96, 3) and np.array_equal(png[..., 0], png[..., 2]), "a gray frame, full size"


def test_shots_of_a_photo_is_one_clear_line(tmp_path):
    photo = tmp_path / "p.png"
    cv2.imwrite(str(photo), np.zeros((16, 16, 3), np.uint8))
    result = CliRunner().invoke(main, ["shots", str(photo)])
    assert result.exit_code == 1 and "shots are for videos" in result.output


def test_the_picked_frame_is_sharp_and_well_exposed():
    from vidcolor.pipeline.shots import picture_score

    g = cv2.cvtColor(scene(96, 64, 0), cv2.COLOR_RGB2GRAY).astype(np.float32)
    soft = cv2.GaussianBlur(g, (0, 0), 2)
    burnt = np.clip(g * 3, 0, 255)
    assert picture_score(g) > picture_score(soft) and picture_score(g) > picture_score(burnt)
