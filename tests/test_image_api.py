"""``vidcolor.colorize_image`` on the pictures a Python caller holds: arrays and PIL images, in any of
their usual forms, all colorized alike; a PNG written when asked; a non-picture a one-line error."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from vidcolor import InferenceConfig, colorize_image
from vidcolor.errors import VidcolorError

CONFIG = InferenceConfig(render_size=64)


def test_every_form_of_one_photo_is_colorized_alike(model, tmp_path):
    rgb = data.astronaut()[::4, ::4]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    expected = colorize_image(gray, model=model, config=CONFIG)
    assert expected.shape == rgb.shape and expected.dtype == np.uint8
    assert np.abs(expected[..., 0].astype(int) - expected[..., 2]).mean() > 2, "colored, not gray"
    forms = {
        "rgb array": np.dstack([gray] * 3),
        "float in [0, 1]": gray.astype(np.float64) / 255,
        "PIL gray": Image.fromarray(gray),
        "PIL RGB": Image.fromarray(gray).convert("RGB"),
        "PIL RGBA": Image.fromarray(gray).convert("RGBA"),
    }
    for name, picture in forms.items():
        assert np.array_equal(colorize_image(picture, model=model, config=CONFIG), expected), name
    out = tmp_path / "colored.png"
    written = colorize_image(Image.fromarray(gray), out, model=model, config=CONFIG)
    assert np.array_equal(written, expected)
    assert np.array_equal(cv2.imread(str(out))[..., ::-1], expected)


@pytest.mark.parametrize("picture", [np.zeros(10, np.uint8), np.zeros((8, 8, 2), np.uint8),
                                     np.array([["a", "b"], ["c", "d"]])])
def test_what_is_not_a_picture_is_a_one_line_error(model, picture):
    with pytest.raises(VidcolorError, match="not a picture"):
        colorize_image(picture, model=model, config=CONFIG)


def test_a_float_picture_on_the_0_to_255_scale_is_a_one_line_error_not_a_white_picture(model):
    gray = cv2.cvtColor(data.astronaut()[::4, ::4], cv2.COLOR_RGB2GRAY).astype(np.float32)  # 0..255, as cv2 gives
    with pytest.raises(VidcolorError, match=r"must be in \[0, 1\], this one reaches 2\d\d"):
        colorize_image(gray, model=model, config=CONFIG)
