"""The TorchScript graphs that video runs use on the CPU compute what the plain model computes."""

from __future__ import annotations

import threading

import pytest
import torch

from vidcolor import zoo
from vidcolor.inference import predict_ab, prepare_model
from vidcolor.tracing import traced


@pytest.mark.parametrize("name", sorted(zoo.MODELS))
def test_traced_graph_matches_the_model_for_every_zoo_model(name):
    torch.manual_seed(0)
    model = prepare_model(zoo.build_model(name, pretrained=False), torch.device("cpu"))
    net = traced(model, batch_size=3)
    gray = torch.rand(3, 1, 48, 64) * 255
    plain, graph = predict_ab(model, gray), predict_ab(net, gray)
    assert graph.shape == plain.shape and torch.isfinite(graph).all()
    assert torch.allclose(graph, plain, atol=1e-2), float((graph - plain).abs().max())  # BN folded: rounding only


def test_a_short_last_batch_is_padded_into_the_same_graph(model):
    net = traced(prepare_model(model, torch.device("cpu")), batch_size=4)
    gray = torch.rand(4, 1, 32, 48) * 255
    full = predict_ab(net, gray)
    assert torch.equal(predict_ab(net, gray[:3]), full[:3])
    assert len(net.graphs) == 1


def test_graphs_are_kept_on_the_model_and_traced_once_per_shape_across_threads(model):
    model = prepare_model(model, torch.device("cpu"))
    net = traced(model, batch_size=2)
    assert traced(model, batch_size=2) is net
    before = len(net.graphs)
    gray = torch.rand(2, 1, 40, 56) * 255
    results = []
    workers = [threading.Thread(target=lambda: results.append(predict_ab(net, gray))) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(net.graphs) == before + 1 and len(results) == 3
    assert all(torch.equal(r, results[0]) for r in results)
    assert "_vidcolor_traced" not in dict(model.named_modules()), "not a submodule: the weights digest is unchanged"
