"""The network as frozen TorchScript graphs, for long CPU runs.

A traced and frozen graph runs the whole forward pass in C++: no Python
between the ~200 ops (which, with two model workers plus the decode, temporal
and encode threads, also means no waiting for the GIL between them), and
BatchNorm folded into the convolutions. Measured on this project's 2-core VM:
about +19% model frames/s with two workers (docs/speed.md).
Tracing takes about half a second per input shape, so the ``Colorizer`` keeps
its graphs and every later file of a batch run reuses them; eval, preview and
photos use the plain network.
"""

from __future__ import annotations

import threading
import warnings

import torch
from torch import nn


class Graphs:
    """``net``'s forward as one frozen graph per input shape, traced on first use."""

    def __init__(self, net: nn.Module) -> None:
        self.net = net
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
                        found = torch.jit.freeze(torch.jit.trace(self.net.eval(), x, check_trace=False))
                    self.graphs[key] = found
        return found

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.graph(x)(x)
