"""The thread plan: how a run splits the cores it was given between the model and the encoder."""

from __future__ import annotations

import pytest
import torch

from vidcolor import Execution
from vidcolor.media.encode import EncodeSettings
from vidcolor.pipeline.video import encoder_settings
from vidcolor.runtime.threads import SMALL_FRAME_PIXELS, thread_plan


@pytest.mark.parametrize("cores", [1, 2, 3, 4, 8, 16])
@pytest.mark.parametrize("pixels", [320 * 240, 640 * 360, 1280 * 720, 1920 * 1080, 3840 * 2160])
@pytest.mark.parametrize("on_cpu", [True, False])
@pytest.mark.parametrize("workers, encoder", [(0, 0), (1, 0), (3, 5), (40, 40)])
def test_the_thread_plan_never_exceeds_the_cores_it_was_given(cores, pixels, on_cpu, workers, encoder):
    plan = thread_plan(cores, pixels, on_cpu=on_cpu, workers=workers, encoder_threads=encoder)
    assert 1 <= plan.model_workers * plan.model_threads <= cores
    assert 1 <= plan.encoder_threads <= cores
    if encoder:
        assert plan.encoder_threads == min(encoder, cores), "an explicit count is kept, within the cores"


def test_the_encoder_gets_one_thread_beside_a_cpu_model_on_small_frames_and_every_core_on_hd():
    assert thread_plan(4, 640 * 360).encoder_threads == 1
    assert thread_plan(4, SMALL_FRAME_PIXELS).encoder_threads == 4
    assert thread_plan(4, 1920 * 1080).encoder_threads == 4
    assert thread_plan(4, 640 * 360, on_cpu=False).encoder_threads == 4, "beside a GPU the cores are free"
    assert thread_plan(2, 640 * 360).model_workers == 2


def test_a_run_hands_the_plan_to_the_encoder(model):
    cores = torch.get_num_threads()
    assert encoder_settings(EncodeSettings(), Execution(), model, 640 * 360).threads == 1
    assert encoder_settings(EncodeSettings(), Execution(), model, 1920 * 1080).threads == cores
    assert encoder_settings(EncodeSettings(), Execution(encoder_threads=1), model, 1920 * 1080).threads == 1
