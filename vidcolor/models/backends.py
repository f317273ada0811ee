"""CPU inference backends for a network's forward pass, one prepared graph per input shape.

``torch``: frozen TorchScript graphs (models.tracing). ``onnxruntime``: the network exported to
ONNX once per input shape (kept on disk, keyed by the weights' digest, so later processes skip the
export) and run by ONNX Runtime with the calling worker's thread count. ``openvino``: the same export
run by OpenVINO in f32 (its default bf16, on CPUs that have it, is faster but ~0.4 off in the logits).
All compute what the plain network computes, within rounding (tests/test_backends.py). The CUDA path
is always torch (fp16).

``auto`` is ONNX Runtime, a regular dependency: the fastest here end to end (README, "Speed").
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

BACKENDS = ("auto", "torch", "onnxruntime", "openvino")


def onnxruntime_available() -> bool:
    """ONNX Runtime to run, and onnx, which torch's exporter needs to write the graph."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def openvino_available() -> bool:
    try:
        import onnx  # noqa: F401
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(name: str) -> str:
    """``auto``: ONNX Runtime (the fastest here: README, "Speed"), or torch where it cannot be imported."""
    if name not in BACKENDS:
        from ..errors import VidcolorError

        raise VidcolorError(f"unknown backend '{name}' (known: {', '.join(BACKENDS)})")
    if name == "auto":
        return "onnxruntime" if onnxruntime_available() else "torch"
    if name == "onnxruntime" and not onnxruntime_available():
        from ..errors import VidcolorError

        raise VidcolorError("--backend onnxruntime needs ONNX Runtime and onnx: pip install onnxruntime onnx")
    if name == "openvino" and not openvino_available():
        from ..errors import VidcolorError

        raise VidcolorError("--backend openvino needs OpenVINO: pip install 'vidcolor[openvino]'")
    return name


def onnx_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vidcolor" / "onnx"


class OnnxGraphs:
    """``net``'s forward exported to ONNX per input shape and run by ONNX Runtime."""

    side_by_side = True  # several Python threads may call it at once (one session per thread count)

    def __init__(self, net: nn.Module, digest: str, cache_dir: Path | None = None) -> None:
        self.net, self.digest = net, digest
        self.cache_dir = cache_dir or onnx_cache_dir()
        self.models: dict[tuple[int, ...], bytes] = {}
        self.sessions: dict[tuple, object] = {}
        self.lock = threading.Lock()

    def _model(self, shape: tuple[int, ...]) -> bytes:
        found = self.models.get(shape)
        if found is None:
            path = self.cache_dir / f"{self.digest[:24]}-{'x'.join(map(str, shape))}.onnx"
            if path.is_file():
                found = path.read_bytes()
            else:
                buf = io.BytesIO()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the exporter's notes on constant shapes: one graph per shape
                    torch.onnx.export(self.net.eval(), (torch.zeros(shape),), buf, dynamo=False, opset_version=17,
                                      input_names=["gray"], output_names=["out"])
                found = buf.getvalue()
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
                    tmp.write_bytes(found)
                    os.replace(tmp, path)
                except OSError:
                    pass  # no cache: the next process exports again
            self.models[shape] = found
        return found

    def session(self, shape: tuple[int, ...]):
        import onnxruntime as ort

        threads = torch.get_num_threads()  # the calling worker's share of the CPU
        key = (shape, threads)
        found = self.sessions.get(key)
        if found is None:
            with self.lock:
                found = self.sessions.get(key)
                if found is None:
                    options = ort.SessionOptions()
                    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
                    found = ort.InferenceSession(self._model(shape), options, providers=["CPUExecutionProvider"])
                    self.sessions[key] = found
        return found

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        shape = tuple(x.shape)
        out = self.session(shape).run(None, {"gray": np.ascontiguousarray(x.detach().contiguous().numpy())})[0]
        return torch.from_numpy(out)


class OpenVinoGraphs(OnnxGraphs):
    """The same ONNX export, compiled by OpenVINO for the CPU in f32; one infer request per calling thread."""

    # Two Python threads calling infer requests side by side hung in the bindings (docs/speed.md); OpenVINO
    # threads its own calls, so a run gives it one caller with every thread.
    side_by_side = False

    def compiled(self, shape: tuple[int, ...], threads: int):
        import openvino as ov

        with self.lock:
            found = self.sessions.get((shape, threads))
            if found is None:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / "net.onnx"
                    path.write_bytes(self._model(shape))
                    found = ov.Core().compile_model(str(path), "CPU", {
                        "INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32",
                        "PERFORMANCE_HINT": "LATENCY"})
                self.sessions[(shape, threads)] = found
        return found

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        shape, threads = tuple(x.shape), torch.get_num_threads()
        key = (shape, threads, threading.get_ident())
        request = self.sessions.get(key)
        if request is None:
            request = self.sessions[key] = self.compiled(shape, threads).create_infer_request()
        out = request.infer({0: np.ascontiguousarray(x.detach().contiguous().numpy())})
        return torch.from_numpy(np.array(next(iter(out.values()))))


RUNNERS: dict[str, type[OnnxGraphs]] = {"onnxruntime": OnnxGraphs, "openvino": OpenVinoGraphs}
