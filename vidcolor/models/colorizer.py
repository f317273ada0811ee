"""The ``Colorizer``: one object owns the prepared network, shared by the CLI, the API and workers.

It knows what it is (architecture, metadata, the sha256 of its tensors, the
file it came from), where it runs (its device), and how (plain, as frozen
TorchScript graphs, or compiled); ``predict_ab`` turns gray pictures into ab,
the same way for video, stills, previews, eval and training validation.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ..errors import VidcolorError
from ..runtime.device import pick_device
from .archs.base import ChromaNet, Decoding
from .backends import RUNNERS, OnnxGraphs
from .checkpoint import state_digest
from .guided import guided_upsample
from .tracing import Graphs
from .zoo import net_from_checkpoint, read_zoo_checkpoint

# How the network's low-resolution ab reaches the working size. Bicubic, not bilinear: the
# effunet head predicts at 1/4 of the working size, and bicubic keeps chroma edges sharper
# (about +0.02 dB on photos at equal colorfulness; docs/training-history.md).
AB_UPSAMPLE = "bicubic"


@dataclass(frozen=True)
class ModelInfo:
    """What a network is: its zoo architecture, its weights file and what that file says of itself."""

    arch: str
    weights_path: Path | None = None
    sha256: str | None = None  # as recorded in the file
    meta: dict[str, Any] = field(default_factory=dict)  # provenance: data, steps, command (JSON)
    # How the file decodes a film's frames where it differs from its photo decoding (its config): chosen
    # on the video validation sets, where a wrong vivid color is repeated for a whole shot
    film_decoding: Decoding = field(default_factory=Decoding)

    @property
    def steps(self) -> int | None:
        return self.meta.get("steps")


def upsample_ab(ab: torch.Tensor, size: tuple[int, int], mode: str = AB_UPSAMPLE) -> torch.Tensor:
    """(B, 2, h, w) ab to (B, 2, *size)."""
    return F.interpolate(ab, size=size, mode=mode, align_corners=False)


class Colorizer:
    """A network ready to colorize, on its device; thread-safe for side-by-side workers."""

    def __init__(self, net: ChromaNet, info: ModelInfo, device: str | torch.device = "cpu",
                 compile: bool = False) -> None:
        self.device = pick_device(device) if isinstance(device, str) else device
        # eval mode on the device; channels_last, which is faster for convs on the CPU
        self.net = net.eval().to(self.device).to(memory_format=torch.channels_last)
        self.info = info
        self._digest: str | None = None
        self._graphs: Graphs | None = None
        self._exported: dict[str, OnnxGraphs] = {}  # ONNX graphs per runtime (models.backends)
        self._lock = threading.Lock()
        # torch.compile for one fixed input shape: half a minute or more to start, measured +10%
        # model-only and slower end to end on 2 cores (docs/speed.md), hence opt-in
        self._compiled = torch.compile(self.net, dynamic=False) if compile else None

    def compiled_copy(self) -> Colorizer:
        """The same network (shared, not copied), compiled: for a run that asks for --compile."""
        return self if self.compiled else Colorizer(self.net, self.info, self.device, compile=True)

    @property
    def arch(self) -> str:
        return self.info.arch

    @property
    def compiled(self) -> bool:
        return self._compiled is not None

    @property
    def head_kind(self) -> str:
        return self.net.head_kind

    @property
    def default_temperature(self) -> float | None:
        return self.net.default_temperature

    @property
    def decoding(self) -> dict[str, float | int | bool | str]:
        """The weights' own settings (temperature, cast removal, ...): not in their tensors' digest, yet
        they change the colors, so outputs are keyed by them too."""
        own = {k: v for k, v in asdict(self.net.config).items() if isinstance(v, (int, float, bool, str))}
        return own | {f"film_{k}": v for k, v in self.info.film_decoding.as_dict().items()}

    @property
    def digest(self) -> str:
        """sha256 of the tensors actually used: what outputs made with this model are keyed by."""
        if self._digest is None:
            self._digest = state_digest(self.net.state_dict())
        return self._digest

    def _forward(self, graphs: bool, backend: str) -> torch.nn.Module | Graphs | OnnxGraphs:
        if self._compiled is not None:
            return self._compiled
        if graphs and self.device.type == "cpu":
            with self._lock:
                if backend in RUNNERS:
                    if backend not in self._exported:
                        self._exported[backend] = RUNNERS[backend](self.net, self.digest)
                    return self._exported[backend]
                if self._graphs is None:
                    self._graphs = Graphs(self.net)
            return self._graphs
        return self.net

    @torch.inference_mode()
    def predict_ab(self, gray: torch.Tensor, decoding: Decoding | None = None, *, graphs: bool = False,
                   pad_to: int | None = None, backend: str = "torch") -> torch.Tensor:
        """(B, 1, h, w) gray 0..255 -> (B, 2, h, w) ab, upsampled to the input's size (on the gray's edges, by
        ``models.guided``, when the decoding's ``chroma_smoothing`` is set).

        ``decoding``: this call's temperature, cast removal, ... (None, or a field left None: the weights' own).
        ``graphs``: on the CPU, run prepared graphs (one per shape) of ``backend``: frozen
        TorchScript ("torch") or ONNX Runtime ("onnxruntime"). ``pad_to``: pad a short batch to
        this size (a last batch then reuses its graph, and a compiled network is never compiled twice).
        """
        n = gray.shape[0]
        if pad_to and n < pad_to:
            gray = torch.cat([gray, gray[-1:].expand(pad_to - n, -1, -1, -1)])
        if self.device.type == "cuda":
            gray = gray.pin_memory()  # lets the copy overlap with the previous batch's work
        gray = gray.to(self.device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        autocast = (torch.autocast("cuda", dtype=torch.float16) if self.device.type == "cuda"
                    else contextlib.nullcontext())
        with autocast:
            out = self._forward(graphs, backend)(gray)
        ab = self.net.decode_ab(out, decoding or Decoding())[:n].float()
        radius = round(self.net.setting(decoding, "chroma_smoothing"))
        return guided_upsample(ab, gray[:n], radius) if radius > 0 else upsample_ab(ab, gray.shape[-2:])


# What a film decoding may set: the decoding settings a run can also give (pipeline.settings.InferenceConfig
# has a field of each name, and its decoding is made of them)
FILM_SETTINGS = ("temperature", "cast_removal", "chroma_restore", "confidence_gate", "scene_gain_power",
                 "prior_correction", "chroma_smoothing", "chroma_floor")


def film_decoding_of(ckpt: dict[str, Any], path: Path | None) -> Decoding:
    """The file's film decoding (none: films decode as photos); a malformed one is a one-line error."""
    stored = ckpt.get("film_decoding") or {}
    if not isinstance(stored, dict) or not set(stored) <= set(FILM_SETTINGS) or \
            not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in stored.values()):
        raise VidcolorError(f"weights file has a malformed film decoding ({stored!r})", path)
    return Decoding(**{k: float(v) for k, v in stored.items()})


def load_model(name: str | None = None, weights: str | Path | None = None, device: str | torch.device = "auto",
               compile: bool = False) -> Colorizer:
    """A zoo model by name (default: the shipped default), or any weights file, ready on ``device``."""
    path, ckpt = read_zoo_checkpoint(name, weights)
    info = ModelInfo(ckpt["arch"], path, ckpt.get("sha256"), ckpt.get("meta", {}), film_decoding_of(ckpt, path))
    net = net_from_checkpoint(ckpt)
    undoes = info.film_decoding.prior_correction or net.setting(None, "prior_correction")
    if undoes and net.rebalance_log_weights() is None:
        raise VidcolorError("weights file decodes with prior_correction but does not keep its class rebalancing",
                            path)
    return Colorizer(net, info, device, compile=compile)
