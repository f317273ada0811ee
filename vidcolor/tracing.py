"""The network as frozen TorchScript graphs, for long CPU runs.

A traced and frozen graph runs the whole forward pass in C++: no Python
between the ~200 ops (which, with two model workers plus the decode, temporal
and encode threads, also means no waiting for the GIL between them), and
BatchNorm folded into the convolutions. Measured on this project's 2-core VM:
about +19% model frames/s with two workers (README, "Speed and memory").
Tracing takes about half a second per input shape, so the graphs are kept on the
model and reused by every later file of a batch run; eval, preview and photos
use the plain model.
"""

from __future__ import annotations

import threading
import warnings

import torch
from torch import nn


class TracedNet(nn.Module):
    """``model``'s forward as one frozen graph per input shape, traced on first use; ``decode_ab`` unchanged."""

    def __init__(self, model: nn.Module, batch_size: int) -> None:
        super().__init__()
        self.model = model
        self.batch_size = batch_size
        self.graphs: dict[tuple, torch.jit.ScriptModule] = {}
        self.lock = threading.Lock()  # two workers asking for a new shape at once trace it once

    def graph(self, x: torch.Tensor) -> torch.jit.ScriptModule:
        key = (tuple(x.shape), x.dtype, x.device, x.is_contiguous(memory_format=torch.channels_last))
        found = self.graphs.get(key)
        if found is None:
            with self.lock:
                found = self.graphs.get(key)
                if found is None:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # TracerWarnings about constant shapes: one graph per shape
                        found = torch.jit.freeze(torch.jit.trace(self.model, x, check_trace=False))
                    self.graphs[key] = found
        return found

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.graph(x)(x)  # predict_ab pads a short last batch to batch_size: no graph of its own

    def decode_ab(self, out: torch.Tensor, temperature: float | None = None) -> torch.Tensor:
        return self.model.decode_ab(out) if temperature is None else self.model.decode_ab(out, temperature)


def traced(model: nn.Module, batch_size: int) -> TracedNet:
    """The model's TracedNet, made once and kept on the model (its graphs serve every later run)."""
    cached = getattr(model, "_vidcolor_traced", None)
    if cached is None or cached.batch_size != batch_size:
        cached = TracedNet(model.eval(), batch_size)
        object.__setattr__(model, "_vidcolor_traced", cached)  # not a submodule: no cycle in the module tree
    return cached
