"""The training loop: checkpoints often, resumes after any interruption.

A run lives in a run folder (full state: model, optimizer, step, random
generators) and exports the shipped weights file every so often. ``resume``
continues from the run folder, or, when there is none (a fresh machine), from
the committed weights file alone with a new optimizer.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..eval.chroma import chroma_scores, summarize
from ..media.degrade import degrade_film, seed_for
from ..models import ab_bins, zoo
from ..models.archs.base import Decoding
from ..models.checkpoint import atomic_save, read_checkpoint, save_weights
from ..models.colorizer import Colorizer, ModelInfo
from .data import CropConfig, CropSampler, PhotoCache, build_cache, to_gray_ab
from .discriminator import PatchDiscriminator, discriminator_loss, generator_loss
from .losses import REGRESSION_LOSSES, classification_loss, gain_stats, regression_loss, scene_gain_loss
from .split import in_validation, validation_names

log = logging.getLogger("vidcolor.train")


@dataclass
class TrainConfig:
    """Everything that decides a training run (stored with its checkpoints)."""

    arch: str = zoo.DEFAULT_MODEL
    model: dict[str, Any] = field(default_factory=dict)  # architecture overrides
    batch_size: int = 16
    steps: int = 8000  # length of the cosine schedule
    lr: float = 1e-3
    encoder_lr_mult: float = 0.2
    # the encoder's batch norms keep their running statistics while training (as at inference), so the
    # decoder learns on the features it will be given (the decoder phase's gain: README, "The model")
    frozen_encoder_bn: bool = False
    weight_decay: float = 1e-4
    warmup: int = 300
    rebalance: float = 0.5  # λ of class rebalancing; 1.0 = no rebalancing
    l1_weight: float = 0.02
    reg_loss: str = "huber"  # for "reg" heads: huber, l1 or mse
    optimizer: str = "adamw"  # or "adam" (the papers')
    beta1: float = 0.9
    gan: bool = False  # train against a conditional discriminator (the "gan" model)
    gan_l1_lambda: float = 100.0  # λ of -log D(G(z)) + λ‖G(z) - y‖₁
    ema_decay: float = 0.999  # exported/validated weights are this moving average; 0 = off
    crop: CropConfig = field(default_factory=CropConfig)
    val_every: int = 500
    val_images: int = 256
    ckpt_every: int = 100
    export_every: int = 500
    log_every: int = 25
    seed: int = 0


def train_config(arch: str = zoo.DEFAULT_MODEL, **given: Any) -> TrainConfig:
    """TrainConfig defaults, then the zoo entry's (the paper's settings), then what was given."""
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    settings = zoo.entry(arch).train_defaults | {k: v for k, v in given.items() if v is not None}
    unknown = set(settings) - fields
    if unknown:
        raise ValueError(f"unknown training settings: {', '.join(sorted(unknown))}")
    if settings.get("reg_loss", "huber") not in REGRESSION_LOSSES:
        raise ValueError(f"reg_loss must be one of {', '.join(REGRESSION_LOSSES)}")
    return TrainConfig(arch=arch, **settings)


class Trainer:
    """Owns the model, optimizer and sampler of one run."""

    def __init__(self, config: TrainConfig, cache: PhotoCache, run_dir: Path, out: Path,
                 pretrained: bool = True, data_note: str = "", command: str = "",
                 validation: frozenset[str] = frozenset()) -> None:
        self.config, self.run_dir, self.out = config, run_dir, out
        self.data_note, self.command = data_note, command
        torch.manual_seed(config.seed)
        self.model_config = zoo.make_config(config.arch, config.model)
        self.model = zoo.build_model(config.arch, self.model_config, pretrained=pretrained)
        self.model = self.model.to(memory_format=torch.channels_last)
        self.sampler = CropSampler(cache, config.crop, config.seed, validation)
        self.optimizer = self._optimizer(self._param_groups())
        self.disc = PatchDiscriminator().to(memory_format=torch.channels_last) if config.gan else None
        self.disc_optimizer = (self._optimizer([{"params": list(self.disc.parameters()), "lr_mult": 1.0}])
                               if self.disc is not None else None)
        self.ema = self._fresh_ema()
        self.ema_steps = 0
        self.step = 0
        self.class_weights = torch.from_numpy(self._class_weights())
        self._keep_rebalancing()
        self.stop_requested = False

    def _fresh_ema(self) -> torch.nn.Module | None:
        """A frozen copy whose weights trail the trained ones (smoother, usually better)."""
        if not self.config.ema_decay:
            return None
        ema = copy.deepcopy(self.model).eval()
        ema.requires_grad_(False)
        return ema

    @torch.no_grad()
    def _update_ema(self) -> None:
        if self.ema is None:
            return
        # warm-up: early on (or after a restart) the average follows closely
        decay = min(self.config.ema_decay, (1 + self.ema_steps) / (10 + self.ema_steps))
        self.ema_steps += 1
        for e, p in zip(self.ema.parameters(), self.model.parameters()):
            e.lerp_(p, 1.0 - decay)
        for e, b in zip(self.ema.buffers(), self.model.buffers()):
            e.copy_(b)

    @property
    def shipped(self) -> torch.nn.Module:
        """The weights that are validated and exported."""
        return self.ema if self.ema is not None else self.model

    def _optimizer(self, groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
        c = self.config
        cls = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam}[c.optimizer]
        return cls(groups, lr=c.lr, betas=(c.beta1, 0.999), weight_decay=c.weight_decay)

    def _param_groups(self) -> list[dict[str, Any]]:
        enc = [p for n, p in self.model.named_parameters() if n.startswith("encoder.")]
        rest = [p for n, p in self.model.named_parameters() if not n.startswith("encoder.")]
        groups = [{"params": rest, "lr_mult": 1.0}]
        if enc:
            groups.append({"params": enc, "lr_mult": self.config.encoder_lr_mult})
        return groups

    def _class_weights(self) -> np.ndarray:
        """Rebalancing weights from the ab statistics of 512 training crops."""
        return class_weights(self.sampler, self.config.rebalance)

    def _keep_rebalancing(self) -> None:
        """The class weights written into a model that keeps them (``--set keeps_rebalancing=true``), so
        its weights file can undo them when decoding (``Decoding.prior_correction``)."""
        for net in (self.model, self.ema):
            kept = net.rebalance_log_weights() if net is not None else None
            if kept is not None:
                kept.copy_(self.class_weights.log())

    def lr_at(self, step: int) -> float:
        c = self.config
        if step < c.warmup:
            return c.lr * (step + 1) / c.warmup
        t = min(1.0, (step - c.warmup) / max(1, c.steps - c.warmup))
        return c.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t)))

    def loss(self, gray: torch.Tensor, ab: torch.Tensor) -> dict[str, torch.Tensor]:
        out = self.model(gray.contiguous(memory_format=torch.channels_last))
        main, gain = self.model.split_output(out)
        if self.model.head_kind == "cls":
            losses = classification_loss(main, ab, self.class_weights, self.model_config.temperature,
                                         self.config.l1_weight)
            if gain is None:
                return losses
            # the picture's gain learns on the decoded colors as they are (no gradient into them)
            stats = gain_stats(self.model.decode_colors(main.detach()), ab)
            scene = scene_gain_loss(gain, stats)
            return losses | {"scene": scene.detach(), "loss": losses["loss"] + scene}
        pred = self.model.decode_ab(out)
        if self.disc is None:
            return regression_loss(pred, ab, self.config.reg_loss)
        return self._adversarial_losses(gray, pred, ab)

    def _adversarial_losses(self, gray: torch.Tensor, pred: torch.Tensor, ab: torch.Tensor) -> dict[str, torch.Tensor]:
        """One discriminator step on real and generated pairs, then the generator's loss."""
        real_ab = F.adaptive_avg_pool2d(ab, pred.shape[-2:])
        self.disc.train()
        d_loss = discriminator_loss(self.disc(gray, real_ab), self.disc(gray, pred.detach()))
        self.disc_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.disc_optimizer.step()
        self.disc.requires_grad_(False)
        try:
            losses = generator_loss(self.disc(gray, pred), pred, real_ab, self.config.gan_l1_lambda)
        finally:
            self.disc.requires_grad_(True)
        return losses | {"d": d_loss.detach()}

    def train_step(self) -> dict[str, float]:
        self.model.train()
        encoder = getattr(self.model, "encoder", None)
        if self.config.frozen_encoder_bn and encoder is not None:
            for m in encoder.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.eval()
        gray, ab = self.sampler.batch(self.config.batch_size)
        lr = self.lr_at(self.step)
        for opt in (self.optimizer, self.disc_optimizer):
            for g in opt.param_groups if opt is not None else ():
                g["lr"] = lr * g["lr_mult"]
        losses = self.loss(torch.from_numpy(gray), torch.from_numpy(ab))
        self.optimizer.zero_grad(set_to_none=True)
        losses["loss"].backward()
        self.optimizer.step()
        self._update_ema()
        self.step += 1
        return {k: float(v.detach()) for k, v in losses.items()} | {"lr": lr}

    def validate(self, temperatures: tuple[float | None, ...] = (None,)) -> dict[str, float]:
        """Color measures on validation photos (never trained on), clean and film-like."""
        model = Colorizer(self.shipped, ModelInfo(self.config.arch), "cpu")
        return holdout_scores(model, self.sampler.holdout(self.config.val_images), temperatures)

    # -- state -----------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "sampler_rng": self.sampler.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "train_config": asdict(self.config),
        } | ({"ema": self.ema.state_dict(), "ema_steps": self.ema_steps} if self.ema is not None else {}) \
          | ({"disc": self.disc.state_dict(), "disc_optimizer": self.disc_optimizer.state_dict()}
             if self.disc is not None else {})

    def load_state(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.step = state["step"]
        self.sampler.rng.bit_generator.state = state["sampler_rng"]
        torch.set_rng_state(state["torch_rng"])
        self._load_ema(state)
        if self.disc is not None and "disc" in state:
            self.disc.load_state_dict(state["disc"])
            self.disc_optimizer.load_state_dict(state["disc_optimizer"])

    def _load_ema(self, state: dict[str, Any]) -> None:
        """The saved average, or (older checkpoints, weights alone) a new one from the model."""
        self.ema = self._fresh_ema()
        self.ema_steps = 0
        if self.ema is not None and "ema" in state:
            self.ema.load_state_dict(state["ema"])
            self.ema_steps = int(state.get("ema_steps", 0))

    def save_checkpoint(self) -> None:
        atomic_save(self.state(), self.run_dir / "last.pt")

    def init_from(self, path: Path) -> str:
        """Start from another weights file's tensors where they fit (new layers keep their init)."""
        ckpt = read_checkpoint(path)
        # the class weights are this run's own, not the other file's (kept or not, as this run's config says)
        state = {k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()
                 if k != "rebalance_log_w"}
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        if unexpected:
            raise ValueError(f"{path}: tensors this architecture does not have: {', '.join(unexpected[:5])}")
        missing = [k for k in missing if k != "rebalance_log_w"]
        self._load_ema({})
        return f"weights {path} (step {ckpt.get('meta', {}).get('steps')}; new: {', '.join(missing) or 'none'})"

    def export(self, extra_meta: dict[str, Any] | None = None, path: Path | None = None) -> None:
        meta = {
            "steps": self.step,
            "samples_seen": self.step * self.config.batch_size,
            "data": self.data_note,
            "command": self.command,
            "train_config": asdict(self.config),
            "exported": time.strftime("%Y-%m-%d %H:%M:%S"),
        } | (extra_meta or {})
        save_weights(path or self.out, self.shipped, self.config.arch, asdict(self.model_config), meta)

    def resume(self, weights: Path | None = None) -> str:
        """Continue from the run folder, else from the exported weights (or ``weights``, a fresh
        machine's shipped file) alone; says which."""
        last = self.run_dir / "last.pt"
        if last.exists():
            self.load_state(torch.load(last, map_location="cpu", weights_only=False))
            return f"run checkpoint {last} (step {self.step})"
        source = self.out if self.out.exists() else weights
        if source is not None and source.exists():
            ckpt = read_checkpoint(source)
            state = {k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()}
            self.model.load_state_dict(state)
            self.step = int(ckpt.get("meta", {}).get("steps", 0))
            self.sampler.rng = np.random.default_rng(self.config.seed + self.step)
            self._load_ema({})
            return f"weights {source} (step {self.step}, new optimizer)"
        return "nothing to resume; starting fresh"

    def run(self, until: int | None = None, minutes: float | None = None) -> None:
        """Train to ``until`` (default: the schedule's end) or for ``minutes``, checkpointing as it goes."""
        until = self.config.steps if until is None else until
        c = self.config
        self._install_signal_handlers()
        t0, n0 = time.time(), self.step
        deadline = t0 + 60 * minutes if minutes else float("inf")
        while self.step < until and not self.stop_requested and time.time() < deadline:
            losses = self.train_step()
            if self.step % c.log_every == 0:
                rate = (self.step - n0) * c.batch_size / max(time.time() - t0, 1e-9)
                log.info("step %d %s samples/s %.1f", self.step,
                         " ".join(f"{k} {v:.4g}" for k, v in losses.items()), rate)
            if self.step % c.ckpt_every == 0:
                self.save_checkpoint()
            if self.step % c.val_every == 0:
                log.info("val step %d %s", self.step,
                         " ".join(f"{k} {v:.4g}" for k, v in self.validate().items()))
                self.export(path=self.run_dir / f"step-{self.step}.pt")  # candidates, chosen on validation
            if self.step % c.export_every == 0:
                self.export()
        self.save_checkpoint()
        self.export()
        why = "signal" if self.stop_requested else "time budget" if self.step < until else "done"
        log.info("stopped at step %d (%s)", self.step, why)

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: Any) -> None:
            log.info("signal %d: saving and stopping after this step", signum)
            self.stop_requested = True

        try:
            signal.signal(signal.SIGTERM, handler)
            signal.signal(signal.SIGINT, handler)
        except ValueError:  # not the main thread (tests): no handlers
            pass


def holdout_scores(model: Colorizer, rgb: np.ndarray,
                   temperatures: tuple[float | None, ...] = (None,)) -> dict[str, float]:
    """The chroma measures of a model on held-out crops (uint8 RGB, N x S x S x 3), given as gray and
    film-like (seeded by position, so every checkpoint sees the same inputs)."""
    if not len(rgb):
        return {}
    gray, _ = to_gray_ab(rgb)
    film = np.stack([degrade_film(g[0], np.random.default_rng(seed_for(str(i))))[None]
                     for i, g in enumerate(gray)])
    result = {}
    for t in temperatures:
        for look, inputs in (("clean", gray), ("film", film)):
            ab = []
            for k in range(0, len(inputs), 32):
                batch = torch.from_numpy(np.ascontiguousarray(inputs[k: k + 32]))
                ab.append(model.predict_ab(batch, Decoding(temperature=t)).permute(0, 2, 3, 1).numpy())
            summary = summarize([chroma_scores(r, a) for r, a in zip(rgb, np.concatenate(ab))])
            tag = f"{look}" if t is None else f"{look}@T{t}"
            result |= {f"{tag}/{k}": v for k, v in summary.as_dict().items() if k != "pictures"}
    return result


def class_weights(sampler: CropSampler, rebalance: float) -> np.ndarray:
    """The class rebalancing weights (λ ``rebalance``; 1: none) of a run drawing from ``sampler``."""
    if rebalance >= 1.0:
        return np.ones(ab_bins.NUM_BINS, np.float32)
    return ab_bins.rebalance_weights(sampler.ab_prior(), rebalance)


def training_class_weights(folder: Path, cache_dir: Path, crop: CropConfig, rebalance: float) -> np.ndarray:
    """The class weights a run on ``folder`` trained with (its crops' fixed ab prior sample), rebuilt for
    weights that did not keep them: what undoing the rebalancing needs."""
    cache = build_cache([folder], cache_dir)
    return class_weights(CropSampler(cache, crop, 0, split_of(cache, validation_names())), rebalance)


def split_of(cache: PhotoCache, listed: frozenset[str]) -> frozenset[str]:
    """The validation photos of this data: the committed list, or (data it does not cover) the hash rule."""
    names = set(cache.names)
    if names & listed:
        return frozenset(names & listed)
    return frozenset(n for n in names if in_validation(n))


def train(data_dirs: list[Path], config: TrainConfig, out: Path, run_dir: Path, cache_dir: Path,
          resume: bool = False, log_file: Path | None = None, until: int | None = None,
          minutes: float | None = None, init: Path | None = None, resume_weights: Path | None = None,
          validation: frozenset[str] | None = None) -> Trainer:
    """Build the photo cache, set up the trainer, resume (from the run, the weights, or
    ``resume_weights``) or start a new run from ``init``'s tensors, and run it."""
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    cache = build_cache(data_dirs, cache_dir)
    counts = np.bincount(cache.index[:, 3], minlength=len(cache.groups))
    data_note = ", ".join(f"{g} ({n})" for g, n in zip(cache.groups, counts))
    command = " ".join(["vidcolor", *sys.argv[1:]]) if sys.argv and "vidcolor" in sys.argv[0] else ""
    source = out if out.exists() else resume_weights
    if resume and not (run_dir / "last.pt").exists() and source is not None and source.exists():
        # resuming from a weights file alone: its architecture is the file's (e.g. its global-context branch)
        config = dataclasses.replace(config, model=read_checkpoint(source)["config"] | config.model)
    held = split_of(cache, validation_names() if validation is None else validation)
    data_note += f"; validation split: {len(held)} photos, never trained on"
    trainer = Trainer(config, cache, run_dir, out, data_note=data_note, command=command, validation=held)
    resumed = trainer.resume(resume_weights) if resume else "nothing to resume; starting fresh"
    if init is not None and resumed.startswith("nothing"):
        resumed = trainer.init_from(init)
    log.info("starting from %s", resumed)
    log.info("training %s on %d photos: %s; config %s", config.arch, len(cache), data_note,
             dataclasses.asdict(config))
    trainer.run(until, minutes)
    return trainer
