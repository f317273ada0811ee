"""Color math: Lab conversions, the gray <-> L bridge, chroma planes."""

import numpy as np
import pytest

from vidcolor.media.color import (
    ChromaSpec,
    L_to_gray,
    gray_to_L,
    lab_to_rgb,
    luma_to_gray,
    luma_to_gray_at,
    luma_to_L_at,
    rgb_to_chroma,
    rgb_to_lab,
    shift_white_balance,
)


def test_gray_to_L_matches_opencv_lab_of_neutral_pixels():
    g = np.arange(256, dtype=np.uint8)
    lab = rgb_to_lab(np.dstack([g, g, g]))
    assert np.abs(lab[0, :, 0] - gray_to_L(g)).max() < 0.25  # OpenCV float Lab uses a gamma LUT
    assert np.abs(lab[0, :, 1:]).max() < 0.25


def test_L_to_gray_inverts_gray_to_L():
    g = np.linspace(0, 255, 1000, dtype=np.float32)
    assert np.abs(L_to_gray(gray_to_L(g)) - g).max() < 0.05


def test_lab_round_trip():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    back = lab_to_rgb(rgb_to_lab(rgb)) * 255
    assert np.abs(back - rgb).max() < 1.0  # float32 Lab in OpenCV


def test_another_white_balance_moves_neutrals_and_keeps_lightness():
    g = np.linspace(40, 220, 12, dtype=np.uint8)
    gray = np.dstack([np.tile(g, (4, 1))] * 3)  # a neutral ramp
    warm = shift_white_balance(gray, 2.0, 10.0)
    lab, lab_warm = rgb_to_lab(gray), rgb_to_lab(warm)
    assert np.abs(lab_warm[..., 0] - lab[..., 0]).max() < 0.6, "L kept: the gray input is the same"
    assert np.abs(lab_warm[..., 1].mean() - 2.0) < 0.6 and np.abs(lab_warm[..., 2].mean() - 10.0) < 0.6
    assert (warm[..., 0] > warm[..., 2]).all(), "b > 0 is yellow: red above blue"
    assert np.array_equal(shift_white_balance(gray, 0.0, 0.0), gray)


@pytest.mark.parametrize("matrix", ["bt601", "bt709"])
@pytest.mark.parametrize("full", [False, True])
def test_chroma_is_neutral_for_gray_and_signed_for_colors(matrix, full):
    spec = ChromaSpec(matrix, full)
    gray = np.full((2, 2, 3), 0.5, np.float32)
    cb, cr = rgb_to_chroma(gray, spec)
    assert (cb == 128).all() and (cr == 128).all()
    red = np.zeros((1, 1, 3), np.float32)
    red[..., 0] = 1.0
    cb, cr = rgb_to_chroma(red, spec)
    assert cr[0, 0] > 200 and cb[0, 0] < 128


def test_limited_range_luma_maps_to_full_gray():
    y = np.array([16, 235, 126], np.uint8)
    assert np.allclose(luma_to_gray(y, full_range=False), [0, 255, 110 * 255 / 219], atol=0.01)
    assert np.allclose(luma_to_gray(y, full_range=True), y)


@pytest.mark.parametrize("full_range", [False, True])
def test_table_lightness_of_resized_luma_matches_the_exact_conversion(full_range):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 256, (90, 160), dtype=np.uint8)
    exact = gray_to_L(luma_to_gray_at(y, full_range, 80, 45))
    fast = luma_to_L_at(y, full_range, 80, 45)
    assert fast.shape == (45, 80) and fast.dtype == np.float32
    assert np.abs(fast - exact).max() < 0.35  # whole luma codes: at most half a code off
    assert np.array_equal(luma_to_L_at(y, full_range, 160, 90), gray_to_L(luma_to_gray(y, full_range)))
