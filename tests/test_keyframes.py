"""Keyframes an artist colored, carried through their shot: reach, cuts, blending, bad files."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from media import scene

from vidcolor import colorize_video
from vidcolor.cli import main
from vidcolor.media.probe import probe
from vidcolor.pipeline.keyframes import load_keyframes


def write_film(path, pictures: list[np.ndarray], rate: int = 10):
    """A gray film from RGB pictures (their luma)."""
    h, w = pictures[0].shape[:2]
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"preset": "ultrafast", "crf": "12"}
        for i, rgb in enumerate(pictures):
            g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            f = av.VideoFrame.from_ndarray(np.dstack([g] * 3), format="rgb24")
            f.pts, f.time_base = i, Fraction(1, rate)
            for p in vs.encode(f):
                out.mux(p)
        for p in vs.encode(None):
            out.mux(p)
    return path


def tinted(rgb: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    """The picture's lightness with one chroma everywhere (an artist's flat color)."""
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    lab[..., 1], lab[..., 2] = ab
    return (np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB), 0, 1) * 255 + 0.5).astype(np.uint8)


def frames_ab(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [cv2.cvtColor(f.to_ndarray(format="rgb24").astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1:]
                for f in c.decode(video=0)]


def keyframe_recipe(fast_recipe, folder, film):
    return replace(fast_recipe, keyframes=load_keyframes(folder, probe(film)))


def save(folder, index, rgb):
    folder.mkdir(exist_ok=True)
    cv2.imwrite(str(folder / f"{index}.png"), rgb[..., ::-1])


def test_a_keyframes_colors_reach_the_last_frame_of_its_panning_shot(tmp_path, model, fast_recipe):
    truth = [scene(96, 64, i, "coffee") for i in range(16)]
    film = write_film(tmp_path / "pan.mp4", truth)
    save(tmp_path / "keys", 0, truth[0])
    auto = colorize_video(film, tmp_path / "auto.mp4", recipe=fast_recipe, model=model, progress=False)
    keyed = colorize_video(film, tmp_path / "keyed.mp4", recipe=keyframe_recipe(fast_recipe, tmp_path / "keys", film),
                           model=model, progress=False)
    true_ab = cv2.cvtColor(truth[-1].astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1:]
    err_keyed = np.abs(frames_ab(keyed.output)[-1] - true_ab).mean()
    err_auto = np.abs(frames_ab(auto.output)[-1] - true_ab).mean()
    assert err_keyed < 0.6 * err_auto, (err_keyed, err_auto)
    assert any("from keyframes" in n for n in keyed.notes)


def test_no_keyframe_color_crosses_a_cut(tmp_path, model, fast_recipe):
    pictures = [scene(96, 64, i, "astronaut") for i in range(8)] + [scene(96, 64, i, "coffee") for i in range(8)]
    film = write_film(tmp_path / "two.mp4", pictures)
    save(tmp_path / "keys", 2, tinted(pictures[2], (60.0, -50.0)))  # magenta, never a model's color
    auto = frames_ab(colorize_video(film, tmp_path / "auto.mp4", recipe=fast_recipe, model=model,
                                    progress=False).output)
    keyed = frames_ab(colorize_video(film, tmp_path / "keyed.mp4",
                                     recipe=keyframe_recipe(fast_recipe, tmp_path / "keys", film), model=model,
                                     progress=False).output)
    assert keyed[0][..., 0].mean() > 30 and keyed[7][..., 0].mean() > 30, "the whole first shot, both ways"
    for a, k in zip(auto[8:], keyed[8:]):  # the model's alone (up to x264's rounding of another stream)
        assert np.abs(a - k).mean() < 2.5 and k[..., 0].mean() < a[..., 0].mean() + 3, "magenta crossed the cut"


def test_two_keyframes_in_one_shot_blend_by_distance(tmp_path, model, fast_recipe):
    pictures = [scene(96, 64, i // 2, "coffee") for i in range(13)]  # a slow pan
    film = write_film(tmp_path / "slow.mp4", pictures)
    save(tmp_path / "keys", 0, tinted(pictures[0], (40.0, 0.0)))
    save(tmp_path / "keys", 12, tinted(pictures[12], (0.0, -40.0)))
    ab = frames_ab(colorize_video(film, tmp_path / "k.mp4", recipe=keyframe_recipe(fast_recipe, tmp_path / "keys",
                                                                                   film), model=model,
                                  progress=False).output)
    a = [float(x[..., 0].mean()) for x in ab]
    b = [float(x[..., 1].mean()) for x in ab]
    assert a[0] > 25 and b[-1] < -25
    assert a[0] > a[6] > a[-1] and b[0] > b[6] > b[-1], "in between, in between"


@pytest.mark.parametrize("name, make, message", [
    ("reel.png", lambda p: cv2.imwrite(str(p), np.zeros((64, 96, 3), np.uint8)), "file name must be the index"),
    ("400.png", lambda p: cv2.imwrite(str(p), np.zeros((64, 96, 3), np.uint8)), "past the end"),
    ("3.png", lambda p: p.write_bytes(b"not a picture"), "cannot"),
    ("5.png", lambda p: cv2.imwrite(str(p), np.zeros((64, 64, 3), np.uint8)), "aspect"),
])
def test_bad_keyframes_are_refused_with_their_name_before_any_work(tmp_path, name, make, message):
    film = write_film(tmp_path / "f.mp4", [scene(96, 64, i) for i in range(6)])
    (tmp_path / "keys").mkdir()
    make(tmp_path / "keys" / name)
    result = CliRunner().invoke(main, ["run", str(film), "-o", str(tmp_path / "out.mp4"), "--keyframes",
                                       str(tmp_path / "keys"), "--quiet"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert name in result.output and message in result.output
    assert not (tmp_path / "out.mp4").exists()


def test_keyframes_are_part_of_the_recipe_by_content(tmp_path):
    film = write_film(tmp_path / "f.mp4", [scene(96, 64, i) for i in range(6)])
    save(tmp_path / "a", 1, scene(96, 64, 1))
    save(tmp_path / "b", 1, scene(96, 64, 1))  # the same picture in another folder
    keys_a, keys_b = load_keyframes(tmp_path / "a", probe(film)), load_keyframes(tmp_path / "b", probe(film))
    from vidcolor import Recipe

    assert Recipe(keyframes=keys_a).as_dict() == Recipe(keyframes=keys_b).as_dict()
    save(tmp_path / "b", 1, tinted(scene(96, 64, 1), (30.0, 30.0)))
    assert Recipe(keyframes=keys_a).as_dict() != Recipe(keyframes=load_keyframes(tmp_path / "b", probe(film))).as_dict()


def test_a_reference_photos_colors_are_taken_where_frames_match_it(tmp_path, model, fast_recipe):
    from vidcolor.pipeline.reference import load_reference

    pictures = [scene(96, 64, i, "coffee") for i in range(8)]
    film = write_film(tmp_path / "f.mp4", pictures)
    photo = tmp_path / "ref.png"
    cv2.imwrite(str(photo), tinted(scene(96, 64, 6, "coffee"), (55.0, -45.0))[..., ::-1])  # magenta, matched
    auto = frames_ab(colorize_video(film, tmp_path / "a.mp4", recipe=fast_recipe, model=model, progress=False).output)
    guided = colorize_video(film, tmp_path / "r.mp4", recipe=replace(fast_recipe, reference=load_reference(photo)),
                            model=model, progress=False)
    ref = frames_ab(guided.output)
    assert ref[-1][..., 0].mean() > auto[-1][..., 0].mean() + 10, "the photo's color where the frames match it"
    assert any("reference photo" in n for n in guided.notes)


def test_a_still_takes_a_reference_photos_colors_too(tmp_path):
    photo, ref = tmp_path / "p.png", tmp_path / "ref.png"
    cv2.imwrite(str(photo), cv2.cvtColor(cv2.cvtColor(scene(96, 64, 0, "coffee"), cv2.COLOR_RGB2GRAY),
                                         cv2.COLOR_GRAY2BGR))
    cv2.imwrite(str(ref), tinted(scene(96, 64, 0, "coffee"), (55.0, -45.0))[..., ::-1])
    result = CliRunner().invoke(main, ["run", str(photo), "--reference", str(ref), "--render-size", "64", "--quiet"])
    assert result.exit_code == 0, result.output
    out = cv2.imread(str(tmp_path / "p.colorized.png"))[..., ::-1]
    assert cv2.cvtColor(out.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1].mean() > 15


def test_an_unreadable_reference_is_one_line_before_any_work(tmp_path):
    film = write_film(tmp_path / "f.mp4", [scene(96, 64, i) for i in range(4)])
    (tmp_path / "ref.png").write_bytes(b"not a photo")
    result = CliRunner().invoke(main, ["run", str(film), "--reference", str(tmp_path / "ref.png"), "--quiet"])
    assert result.exit_code == 1 and "ref.png" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "f.colorized.mp4").exists()
