"""The temporal stage: less flicker, colors follow motion, nothing crosses a cut."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from media import make_video

from vidcolor.media.decode import decode
from vidcolor.media.frames import Frame
from vidcolor.pipeline.colorize import colorize_frames
from vidcolor.pipeline.cuts import CutDetector
from vidcolor.pipeline.settings import InferenceConfig
from vidcolor.pipeline.temporal import FlowConfig, Stabilizer, stabilize, temporal_config

H, W = 96, 128
BLUE = np.array([-5.0, -40.0], np.float32)
RED = np.array([60.0, 45.0], np.float32)


def texture(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    import cv2

    return cv2.GaussianBlur(rng.uniform(40, 140, (H, W)).astype(np.float32), (0, 0), 2.0)


def frame(i: int, gray: np.ndarray, ab: np.ndarray) -> Frame:
    f = Frame(index=i, pts=i, time_base=Fraction(1, 25), y=gray.astype(np.uint8), full_range=True, matrix="bt601")
    f.gray, f.ab = gray.astype(np.float32), ab.astype(np.float32)
    return f


def moving_square_scene(n: int, rng: np.random.Generator, jitter: float = 12.0):
    """Static textured background (predicted blue), a bright square moving right (predicted red)."""
    bg = texture()
    for i in range(n):
        gray = bg.copy()
        x0 = 10 + 4 * i
        gray[30:60, x0:x0 + 30] = 235.0
        ab = np.broadcast_to(BLUE, (H, W, 2)).copy()
        ab[30:60, x0:x0 + 30] = RED
        ab += rng.normal(0, jitter, 2).astype(np.float32)  # per-frame flicker of the prediction
        yield frame(i, gray, ab), x0


def test_static_background_and_moving_object_keep_their_colors():
    rng = np.random.default_rng(0)
    stab = Stabilizer(FlowConfig())
    for f, x in moving_square_scene(16, rng):
        out, x0 = stab(f), x
    square = out.ab[35:55, x0 + 5:x0 + 25].reshape(-1, 2).mean(0)
    trail = out.ab[35:55, x0 - 10:x0 - 2].reshape(-1, 2).mean(0)  # where the square was just before
    background = out.ab[70:90, 5:120].reshape(-1, 2).mean(0)
    assert np.linalg.norm(square - RED) < 15, square
    assert np.linalg.norm(trail - BLUE) < 15, trail
    assert np.linalg.norm(background - BLUE) < 15, background


def test_flicker_of_a_static_scene_is_damped():
    rng = np.random.default_rng(1)
    gray = texture()
    raw, stable = [], []
    stab = Stabilizer(FlowConfig())
    for i in range(30):
        ab = np.broadcast_to(BLUE + rng.normal(0, 10, 2).astype(np.float32), (H, W, 2)).copy()
        raw.append(ab[40, 60].copy())
        stable.append(stab(frame(i, gray, ab)).ab[40, 60].copy())
    assert np.std(stable[5:], axis=0).max() < 0.5 * np.std(raw[5:], axis=0).max()


def test_no_color_crosses_a_cut_between_two_real_clips(tmp_path, model):
    a = make_video(tmp_path / "a.mp4", frames=10, width=128, height=96, image="astronaut", audio=False)
    b = make_video(tmp_path / "b.mp4", frames=10, width=128, height=96, image="coffee", audio=False)
    config = InferenceConfig(render_size=96)
    frames = [f for src in (a, b) for f in decode(src)]
    for i, f in enumerate(frames):
        f.index = i
    raw = list(colorize_frames(frames, model, config))
    raw_ab = [f.ab.copy() for f in raw]
    out = list(stabilize(raw, FlowConfig()))
    cuts = [f.index for f in out if f.cut]
    assert cuts == [0, 10], cuts  # the start and the splice; no false cut inside a pan
    assert np.array_equal(out[10].ab, raw_ab[10])  # the first frame after the cut: its own prediction only
    # The next frame may borrow only from frame 10 (second shot), never from the first shot.
    assert np.abs(out[11].ab - raw_ab[11]).mean() <= np.abs(raw_ab[10] - raw_ab[11]).mean() + 1e-3
    first_shot = raw_ab[9]
    assert np.abs(out[11].ab - first_shot).mean() > 0.5 * np.abs(raw_ab[11] - first_shot).mean()


def test_cut_detector_ignores_a_slow_pan_and_finds_a_hard_cut():
    det = CutDetector()
    bg = texture(3)
    flags = [det(np.roll(bg, 2 * i, axis=1)) for i in range(12)]
    other = texture(4) * 0.5 + 120
    flags.append(det(other))
    assert flags[0] and not any(flags[1:12]) and flags[12]


@pytest.mark.parametrize("mode", ["off", "flow"])
def test_stage_keeps_every_frame_in_order(mode):
    rng = np.random.default_rng(2)
    frames = [f for f, _ in moving_square_scene(8, rng)]
    out = list(stabilize(iter(frames), temporal_config(mode)))
    assert [f.index for f in out] == list(range(8))


def test_a_picture_of_another_size_starts_a_shot():
    det = CutDetector()
    bg = texture(5)
    flags = [det(bg), det(bg), det(bg[:64, :96].copy()), det(bg[:64, :96].copy())]
    assert flags == [True, False, True, False]
