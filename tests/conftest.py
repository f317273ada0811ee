from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
torch.set_num_threads(2)

from vidcolor import load_model  # noqa: E402
from vidcolor.encode import EncodeSettings  # noqa: E402
from vidcolor.inference import InferenceConfig  # noqa: E402
from vidcolor.pipeline import RunSettings  # noqa: E402


@pytest.fixture(scope="session")
def model() -> torch.nn.Module:
    """The shipped default model, on the CPU."""
    return load_model()


@pytest.fixture
def fast_settings() -> RunSettings:
    """Small working size and the fastest x264 preset: tests check behaviour, not looks."""
    return RunSettings(inference=InferenceConfig(render_size=64, batch_size=4),
                       encode=EncodeSettings(preset="ultrafast"))
