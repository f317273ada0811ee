"""The chroma floor (archs.base.floor_chroma): a soft threshold on chroma that shows a faint guess as gray and
keeps a bold color's hue; a decoding setting that reaches films like any other."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from test_film_decoding import weights_with
from test_guided import photo_plain_and_with

from vidcolor import load_model
from vidcolor.models.archs.base import Decoding, floor_chroma


def ab_at(chroma: list[float], hue_deg: list[float]) -> torch.Tensor:
    """(1, 2, 1, N) ab of these chromas at these hue angles."""
    c, h = torch.tensor(chroma), torch.tensor(hue_deg) * math.pi / 180
    return torch.stack([c * torch.cos(h), c * torch.sin(h)])[None, :, None, :]


def test_the_floor_takes_its_value_from_every_chroma_keeps_each_hue_and_grays_what_is_below():
    ab = ab_at([10.0, 3.0, 4.0, 40.0, 0.0], [30.0, 200.0, -90.0, 135.0, 0.0])
    out = floor_chroma(ab, 4.0)
    chroma = out.norm(dim=1)[0, 0]
    assert torch.allclose(chroma, torch.tensor([6.0, 0.0, 0.0, 36.0, 0.0]), atol=1e-5)
    hue = torch.rad2deg(torch.atan2(out[0, 1, 0], out[0, 0, 0]))
    assert torch.allclose(hue[[0, 3]], torch.tensor([30.0, 135.0]), atol=1e-4)
    assert torch.isfinite(out).all()
    assert torch.equal(floor_chroma(ab, 0.0), ab), "0 is off"


def test_a_floor_grays_a_faint_picture_and_keeps_a_vivid_one_vivid():
    faint = 2.0 * torch.randn(1, 2, 8, 8, generator=torch.Generator().manual_seed(1))
    vivid = faint + torch.tensor([30.0, 20.0])[None, :, None, None]
    assert floor_chroma(faint, 6.0).abs().max() < 0.5 * faint.abs().max()
    kept = floor_chroma(vivid, 6.0).norm(dim=1).mean() / vivid.norm(dim=1).mean()
    assert 0.8 < float(kept) < 1.0


def test_a_photo_with_a_floor_is_paler_and_keeps_its_luminance():
    _, plain, floored = photo_plain_and_with("chroma_floor", 8.0)

    def lab(rgb: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)

    chroma_plain, chroma_floored = (np.hypot(*lab(x)[..., 1:].transpose(2, 0, 1)) for x in (plain, floored))
    assert chroma_floored.mean() < chroma_plain.mean()
    assert (chroma_floored < 2).mean() > (chroma_plain < 2).mean(), "more of the picture gray"
    assert np.abs(lab(floored)[..., 0] - lab(plain)[..., 0]).mean() < 1.5


@pytest.mark.parametrize(("flag", "name"), [("--floor", "chroma_floor"), ("--smoothing", "chroma_smoothing")])
def test_set_decoding_sets_a_film_only_setting_keeps_it_when_not_given_and_refuses_it_for_photos(tmp_path, flag,
                                                                                                  name):
    script = Path(__file__).parents[1] / "scripts" / "set_decoding.py"
    copy = weights_with(tmp_path, "w.pt", {"temperature": 1.0, "scene_gain_power": 0.5})

    def set_(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), str(copy), *args], capture_output=True, text=True)

    assert set_("0.8", "--cast-removal", "0.5", flag, "3", "--film").returncode == 0
    assert load_model(weights=copy).info.film_decoding == Decoding(
        temperature=0.8, cast_removal=0.5, confidence_gate=0.0, chroma_restore=0.0, scene_gain_power=0.5,
        **{name: 3.0})
    assert set_("0.9", "--film").returncode == 0
    assert getattr(load_model(weights=copy).info.film_decoding, name) == 3.0, "kept when not given"
    refused = set_("0.8", flag, "3")
    assert refused.returncode != 0 and "film decoding setting" in refused.stderr
