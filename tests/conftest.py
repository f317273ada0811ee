from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

# Ray, wherever a test loads it: every node and driver on 127.0.0.1, never another address
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
torch.set_num_threads(2)

from vidcolor import Colorizer, InferenceConfig, Recipe, load_model  # noqa: E402
from vidcolor.media.encode import EncodeSettings  # noqa: E402


@pytest.fixture(scope="session")
def model() -> Colorizer:
    """The shipped default model, on the CPU."""
    return load_model(device="cpu")


@pytest.fixture
def fast_recipe() -> Recipe:
    """Small working size and the fastest x264 preset: tests check behaviour, not looks."""
    return Recipe(inference=InferenceConfig(render_size=64), encode=EncodeSettings(preset="ultrafast"))


@pytest.fixture
def vivid_recipe(fast_recipe: Recipe) -> Recipe:
    """The same, a film decoded as a photo is (``--vivid``): the weights' cautious film decoding leaves a generated
    clip all but gray, and a test that compares or follows color needs color to be there."""
    return replace(fast_recipe, inference=replace(fast_recipe.inference, vivid=True))
