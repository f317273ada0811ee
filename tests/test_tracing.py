"""The TorchScript graphs that video runs use on the CPU compute what the plain network computes."""

from __future__ import annotations

import threading

import pytest
import torch

from vidcolor import Colorizer
from vidcolor.models import zoo
from vidcolor.models.colorizer import ModelInfo


@pytest.mark.parametrize("name", sorted(zoo.MODELS))
def test_traced_graph_matches_the_model_for_every_zoo_model(name):
    torch.manual_seed(0)
    model = Colorizer(zoo.build_model(name, pretrained=False), ModelInfo(name), "cpu")
    gray = torch.rand(3, 1, 48, 64) * 255
    plain, graph = model.predict_ab(gray), model.predict_ab(gray, graphs=True)
    assert graph.shape == plain.shape and torch.isfinite(graph).all()
    assert torch.allclose(graph, plain, atol=1e-2), float((graph - plain).abs().max())  # BN folded: rounding only


def test_a_short_last_batch_is_padded_into_the_same_graph(model):
    gray = torch.rand(4, 1, 32, 48) * 255
    full = model.predict_ab(gray, graphs=True, pad_to=4)
    before = len(model._graphs.graphs)
    assert torch.equal(model.predict_ab(gray[:3], graphs=True, pad_to=4), full[:3])
    assert len(model._graphs.graphs) == before


def test_graphs_are_kept_by_the_colorizer_and_traced_once_per_shape_across_threads(model):
    digest = model.digest
    gray = torch.rand(2, 1, 40, 56) * 255
    model.predict_ab(gray[:1], graphs=True)  # some shape first, so the graphs exist
    before = len(model._graphs.graphs)
    results = []
    workers = [threading.Thread(target=lambda: results.append(model.predict_ab(gray, graphs=True))) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(model._graphs.graphs) == before + 1 and len(results) == 3
    assert all(torch.equal(r, results[0]) for r in results)
    assert model.digest == digest  # tracing leaves the weights alone


def test_a_graph_with_the_input_tone_stretch_matches_the_model():
    torch.manual_seed(0)
    net = zoo.build_model("effunet", zoo.make_config("effunet", {"input_stretch": 3.0, "global_context": True}),
                          pretrained=False)
    model = Colorizer(net, ModelInfo("effunet"), "cpu")
    gray = 60 + torch.rand(2, 1, 48, 64) * 100  # faded: the stretch is at work
    assert torch.allclose(model.predict_ab(gray, graphs=True), model.predict_ab(gray), atol=1e-2)
