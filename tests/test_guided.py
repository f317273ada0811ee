"""Edge-aware chroma smoothing (models/guided.py): colors even out within a region of even gray, follow the
gray's edges, and reach films and photos through the decoding like any other setting."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from vidcolor import InferenceConfig, colorize_image, load_model
from vidcolor.models.colorizer import upsample_ab
from vidcolor.models.guided import guided_upsample


def two_halves(h: int = 64, w: int = 64) -> torch.Tensor:
    """(1, 1, h, w) gray: dark left half, bright right half."""
    gray = torch.full((1, 1, h, w), 60.0)
    gray[..., w // 2:] = 190.0
    return gray


def test_colors_follow_the_gray_edge_where_plain_upsampling_lets_them_cross():
    gray = two_halves()
    truth = torch.where(torch.arange(64) < 32, 40.0, -40.0).expand(1, 2, 64, 64)
    coarse = torch.nn.functional.interpolate(truth, size=(16, 16), mode="area")
    coarse = torch.nn.functional.avg_pool2d(coarse, 3, 1, 1, count_include_pad=False)  # a coarse, blurred guess
    plain, guided = upsample_ab(coarse, (64, 64)), guided_upsample(coarse, gray, radius=2)

    def keeps_sides(ab: torch.Tensor) -> bool:
        """Each side's color, clearly, on the two pixels next to the edge."""
        return bool((ab[..., 30:32] > 10).all() and (ab[..., 32:34] < -10).all())

    assert keeps_sides(guided) and not keeps_sides(plain)
    jump = float((guided[..., 31] - guided[..., 32]).mean())
    assert jump > 2 * float((plain[..., 31] - plain[..., 32]).mean()) and jump > 25, jump
    # far from the edge both keep the color
    assert torch.allclose(guided[..., :8], truth[..., :8], atol=2.0)


def test_blotches_even_out_within_a_region_of_even_gray_and_its_mean_color_stays():
    gray = torch.full((1, 1, 64, 96), 128.0) + torch.randn(1, 1, 64, 96)  # one object, a little grain
    rng = torch.Generator().manual_seed(0)
    coarse = 20.0 + 15.0 * torch.randn(1, 2, 16, 24, generator=rng)  # orange, in blotches
    plain, guided = upsample_ab(coarse, (64, 96)), guided_upsample(coarse, gray, radius=3)
    assert guided.std() < 0.5 * plain.std(), (float(guided.std()), float(plain.std()))
    assert torch.allclose(guided.mean(dim=(2, 3)), coarse.mean(dim=(2, 3)), atol=2.0)


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 40)])
def test_any_output_grid_even_one_cell_gives_the_working_size(shape):
    coarse = torch.randn(2, 2, *shape)
    out = guided_upsample(coarse, torch.rand(2, 1, shape[0] * 4, shape[1] * 4) * 255, radius=6)
    assert out.shape == (2, 2, shape[0] * 4, shape[1] * 4) and torch.isfinite(out).all()


def chroma_spread(rgb: np.ndarray) -> float:
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    return float(lab[..., 1:].std())


def photo_plain_and_with(name: str, value: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The astronaut (gray), colorized as the weights decode photos and with one decoding setting; the
    setting at 0 is checked to be off."""
    model = load_model(device="cpu")
    gray = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY)
    plain = colorize_image(gray, model=model, config=InferenceConfig(render_size=96))
    assert np.array_equal(plain, colorize_image(gray, model=model,
                                                config=InferenceConfig(render_size=96, **{name: 0.0})))
    return gray, plain, colorize_image(gray, model=model, config=InferenceConfig(render_size=96, **{name: value}))


def test_a_photo_smoothed_on_request_keeps_its_edges_and_loses_its_blotches():
    gray, plain, smooth = photo_plain_and_with("chroma_smoothing", 4.0)
    assert not np.array_equal(plain, smooth)
    assert chroma_spread(smooth) < chroma_spread(plain)
    # the luminance is the input's either way
    for out in (plain, smooth):
        L = cv2.cvtColor(out, cv2.COLOR_RGB2Lab)[..., 0].astype(int)
        assert np.abs(L - cv2.cvtColor(cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB), cv2.COLOR_RGB2Lab)[..., 0]).mean() < 2
