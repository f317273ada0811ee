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
from vidcolor.pipeline.guides import load_keyframes


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
    pictures = [scene(96, 64, i, "coffee") for i in range(8)]
    film = write_film(tmp_path / "f.mp4", pictures)
    photo = tmp_path / "ref.png"
    cv2.imwrite(str(photo), tinted(scene(96, 64, 6, "coffee"), (55.0, -45.0))[..., ::-1])  # magenta, matched
    auto = frames_ab(colorize_video(film, tmp_path / "a.mp4", recipe=fast_recipe, model=model, progress=False).output)
    guided = colorize_video(film, tmp_path / "r.mp4", recipe=fast_recipe, model=model, progress=False,
                            reference=photo)  # the API's own way in
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


def stroked(gray_rgb: np.ndarray, box: tuple[slice, slice], ab: tuple[float, float]) -> np.ndarray:
    """The gray frame with one stroke of a color painted over ``box`` (the rest left exactly gray)."""
    out = gray_rgb.copy()
    out[box] = tinted(gray_rgb, ab)[box]
    return out


def edge_picture(width: int, height: int, t: int) -> np.ndarray:
    """A dark textured left half and a bright right half (a strong edge), panning slowly."""
    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.normal(0, 12, (height, width + 40)), (0, 0), 2)
    g = np.where(np.arange(width + 40)[None] < width // 2 + 20, 60.0, 190.0) + texture
    g = np.clip(g[:, t: t + width], 0, 255).astype(np.uint8)
    return np.dstack([g] * 3)


def test_strokes_spread_within_a_region_but_not_across_a_strong_edge(tmp_path, model, fast_recipe):
    pictures = [edge_picture(96, 64, i) for i in range(8)]
    film = write_film(tmp_path / "edge.mp4", pictures)
    save(tmp_path / "keys", 0, stroked(pictures[0], (slice(28, 34), slice(10, 22)), (60.0, -50.0)))  # magenta
    auto = frames_ab(colorize_video(film, tmp_path / "a.mp4", recipe=fast_recipe, model=model, progress=False).output)
    run = colorize_video(film, tmp_path / "s.mp4", recipe=keyframe_recipe(fast_recipe, tmp_path / "keys", film),
                         model=model, progress=False)
    keyed = frames_ab(run.output)
    for a, k in ((auto[0], keyed[0]), (auto[-1], keyed[-1])):
        left, right = k[:, :40], k[:, 76:]  # the edge is at x 68 - t
        assert np.abs(left.reshape(-1, 2).mean(0) - (60, -50)).max() < 12, "the stroke's color fills its region"
        assert left[..., 0].min() > 30, "all of it, far from the stroke too"
        assert np.abs(right - a[:, 76:]).mean() < 3, "across the edge: the model's color, not the stroke's"
    assert any("strokes" in n for n in run.notes)


def test_spread_strokes_stops_at_an_edge_and_keeps_the_strokes_color():
    from vidcolor.pipeline.propagate import spread_strokes

    gray = np.where(np.arange(120)[None] < 60, 50.0, 200.0).repeat(80, 0).astype(np.float32)
    ab, strokes = np.zeros((80, 120, 2), np.float32), np.zeros((80, 120), bool)
    strokes[5:8, 5:10], ab[5:8, 5:10] = True, (30.0, 20.0)
    strokes[70:75, 100:110], ab[70:75, 100:110] = True, (-20.0, -35.0)
    spread, reach = spread_strokes(gray, ab, strokes)
    assert np.allclose(spread[:, :58], (30, 20), atol=0.5) and np.allclose(spread[:, 62:], (-20, -35), atol=0.5)
    assert reach[strokes].min() > 0.99
    strokes[70:75, 100:110] = False  # the left stroke alone: as far on the other side of the edge, nothing
    _, reach = spread_strokes(gray, ab, strokes)
    assert reach[5:8, 55].min() > 0.02 and reach[5:8, 64].max() < 1e-3


def test_a_keyframes_color_comes_back_after_an_occlusion(tmp_path, model, fast_recipe):
    still = scene(96, 64, 0, "coffee")
    pictures = []
    for i in range(34):  # a flat gray board slides across the whole picture (frames 3 to 29), then is gone
        p = still.copy()
        x = (i - 3) * 5 - 30  # slowly enough not to look like a cut
        p[:, max(0, x): max(0, x + 30)] = 128
        pictures.append(p)
    film = write_film(tmp_path / "occluded.mp4", pictures)
    save(tmp_path / "keys", 0, tinted(still, (60.0, -50.0)))
    keyed = frames_ab(colorize_video(film, tmp_path / "k.mp4", recipe=keyframe_recipe(fast_recipe, tmp_path / "keys",
                                                                                      film),
                                     model=model, progress=False).output)
    assert keyed[-1][..., 0].mean() > 40 and keyed[-1][..., 1].mean() < -30, "every pixel was covered once"


def test_a_folder_of_references_guides_each_shot_by_its_own_photo(tmp_path, model, fast_recipe):
    pictures = [scene(96, 64, i, "astronaut") for i in range(8)] + [scene(96, 64, i, "coffee") for i in range(8)]
    film = write_film(tmp_path / "two.mp4", pictures)
    (tmp_path / "refs").mkdir()
    cv2.imwrite(str(tmp_path / "refs" / "12.png"), tinted(scene(120, 90, 3, "coffee"), (55.0, -45.0))[..., ::-1])
    auto = frames_ab(colorize_video(film, tmp_path / "a.mp4", recipe=fast_recipe, model=model, progress=False).output)
    run = colorize_video(film, tmp_path / "r.mp4", recipe=fast_recipe, model=model, progress=False,
                         reference=tmp_path / "refs")
    guided = frames_ab(run.output)
    for a, g in zip(auto[:8], guided[:8]):  # the first shot has no photo: the model's color
        assert np.abs(a - g).mean() < 2.5
    for a, g in zip(auto[8:], guided[8:]):
        assert g[..., 0].mean() > a[..., 0].mean() + 10, "the second shot takes its photo's color"
    assert any("reference 12.png" in n for n in run.notes)


def test_a_folder_of_references_is_refused_for_a_still(tmp_path):
    photo = tmp_path / "p.png"
    cv2.imwrite(str(photo), scene(96, 64, 0))
    (tmp_path / "refs").mkdir()
    cv2.imwrite(str(tmp_path / "refs" / "0.png"), scene(96, 64, 0))
    result = CliRunner().invoke(main, ["run", str(photo), "--reference", str(tmp_path / "refs"), "--quiet"])
    assert result.exit_code == 1 and "Traceback" not in result.output and "is for films" in result.output


def test_preview_shows_a_keyframes_reach_as_the_full_run_colors_it(tmp_path, model, fast_recipe):
    truth = [scene(96, 64, i, "coffee") for i in range(16)]
    film = write_film(tmp_path / "pan.mp4", truth)
    save(tmp_path / "keys", 2, tinted(truth[2], (60.0, -50.0)))
    save(tmp_path / "keys", 14, tinted(truth[14], (60.0, -50.0)))
    full = frames_ab(colorize_video(film, tmp_path / "k.mp4", recipe=fast_recipe, model=model, progress=False,
                                    keyframes=tmp_path / "keys").output)
    out = tmp_path / "p.png"
    result = CliRunner().invoke(main, ["preview", str(film), "--at", "0.9", "--keyframes", str(tmp_path / "keys"),
                                       "--render-size", "64", "-o", str(out)])
    assert result.exit_code == 0, result.output
    right = cv2.imread(str(out))[:64, 100:196, ::-1]  # the colorized panel of the one row
    ab = cv2.cvtColor(right.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1:]
    assert ab[..., 0].mean() > 30, "the keyframes' magenta, seven frames away"
    assert np.abs(ab - full[9]).mean() < 4, "what the full run writes at frame 9"


def test_a_resumed_run_still_carries_the_keyframe_before_its_start(tmp_path, model, fast_recipe):
    from vidcolor.pipeline.settings import Execution
    from vidcolor.pipeline.video import plan_film, write_frames

    truth = [scene(96, 64, i, "coffee") for i in range(20)]
    film = write_film(tmp_path / "pan.mp4", truth)
    save(tmp_path / "keys", 0, tinted(truth[0], (60.0, -50.0)))
    recipe = replace(keyframe_recipe(fast_recipe, tmp_path / "keys", film), resume_warmup_seconds=0.3)
    plan = plan_film(film, tmp_path / "out.mp4", recipe, model)
    got = []
    write_frames(plan, model, recipe, Execution(device="cpu"), lambda f: got.append((f.index, f.ab.copy())), start=14)
    assert [i for i, _ in got] == list(range(14, 20))
    assert all(ab[..., 0].mean() > 40 and ab[..., 1].mean() < -30 for _, ab in got), "the keyframe 11+ frames back"


def test_preview_shows_a_reference_photos_colors(tmp_path):
    film = write_film(tmp_path / "f.mp4", [scene(96, 64, i, "coffee") for i in range(12)])
    photo = tmp_path / "ref.png"
    cv2.imwrite(str(photo), tinted(scene(96, 64, 6, "coffee"), (55.0, -45.0))[..., ::-1])
    out = tmp_path / "p.png"
    result = CliRunner().invoke(main, ["preview", str(film), "--at", "0.8", "--reference", str(photo),
                                       "--render-size", "64", "-o", str(out)])
    assert result.exit_code == 0, result.output
    right = cv2.imread(str(out))[:64, 100:196, ::-1]
    assert cv2.cvtColor(right.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)[..., 1].mean() > 25


def test_a_colorless_reference_photo_mutes_the_models_color_where_nothing_matches(tmp_path, model, fast_recipe):
    film = write_film(tmp_path / "f.mp4", [scene(96, 64, i, "coffee") for i in range(6)])
    photo = tmp_path / "ref.png"
    cv2.imwrite(str(photo), np.dstack([cv2.cvtColor(scene(96, 64, 0, "astronaut"), cv2.COLOR_RGB2GRAY)] * 3))
    vivid = replace(fast_recipe, inference=replace(fast_recipe.inference, vivid=True))  # the model paints boldly
    auto = frames_ab(colorize_video(film, tmp_path / "a.mp4", recipe=vivid, model=model, progress=False).output)
    guided = frames_ab(colorize_video(film, tmp_path / "r.mp4", recipe=vivid, model=model, progress=False,
                                      reference=photo).output)
    chroma = [float(np.hypot(x[..., 0], x[..., 1]).mean()) for x in (auto[-1], guided[-1])]
    assert chroma[0] > 6 and chroma[1] < 2, chroma


def test_chroma_gain_is_the_least_squares_scale_within_0_and_1():
    from vidcolor.pipeline.sources import chroma_gain

    predicted = np.dstack([np.full((4, 4), 10.0), np.full((4, 4), -20.0)]).astype(np.float32)
    assert chroma_gain(predicted, predicted * 0.25) == pytest.approx(0.25)
    assert chroma_gain(predicted, predicted * 3) == 1.0 and chroma_gain(predicted, -predicted) == 0.0
    weight = np.zeros((4, 4), np.float32)
    weight[0] = 1  # only the first row counts
    truth = predicted * 0.5
    truth[1:] = 0
    assert chroma_gain(predicted, truth, weight) == pytest.approx(0.5)
    assert chroma_gain(np.zeros_like(predicted), predicted) == 1.0, "nothing painted: nothing to scale"
