"""A decoder phase for effunet weights: the encoder's taps computed once, then only the decoder trained.

The issue's "more learning per CPU-hour": random training crops (film-like with the run's probability,
targets clean) go through the fixed encoder once and are kept as fp16 arrays outside the project
(~150 KB a crop); the decoder, global-context branch and head then train on them with the trainer's
own loss and rebalancing, an EMA of the weights validated on the trainer's held-out crops (the
validation split, never trained on) every --val-every steps. What it measured is in the README ("The
model"); the weights it writes are candidates, chosen like any other (scripts/sweep_decoding.py).

    python scripts/decoder_phase.py ../shared/data/train --weights W.pt --out runs/dec/effunet.pt --epochs 2
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

from vidcolor.cli.train import parse_weights
from vidcolor.media.degrade import degrade_film
from vidcolor.models import ab_bins
from vidcolor.models.checkpoint import read_checkpoint, save_weights
from vidcolor.models.colorizer import Colorizer, ModelInfo
from vidcolor.models.zoo import net_from_checkpoint
from vidcolor.training.data import CropConfig, CropSampler, build_cache, to_gray_ab
from vidcolor.training.loop import holdout_scores, split_of
from vidcolor.training.losses import classification_loss, downsample_ab
from vidcolor.training.split import validation_names

TAPS = 4  # strides 4, 8, 16, 32 (ColorUNet.encode)


def build_taps(net: torch.nn.Module, sampler: CropSampler, store: Path, crops: int, degrade: float,
               seed: int = 11, batch: int = 64) -> None:
    """``crops`` random crops of every training photo through the fixed encoder, into fp16 .npy files."""
    ids = np.tile(sampler.train_ids, crops)
    rng = np.random.default_rng(seed)
    part = store.with_name(store.name + ".partial")
    part.mkdir(parents=True, exist_ok=True)
    arrays: list[np.lib.format.open_memmap] = []
    t0 = time.time()
    for k in range(0, len(ids), batch):
        rows = ids[k: k + batch]
        gray, ab = to_gray_ab(np.stack([sampler.crop(sampler.cache.image(int(i)), rng) for i in rows]))
        for g in gray[:, 0]:
            if rng.random() < degrade:
                g[:] = degrade_film(g, rng)
        with torch.inference_mode():
            taps = net.encode(torch.from_numpy(gray))
        target = downsample_ab(torch.from_numpy(ab), taps[0].shape[-2:])
        if not arrays:
            shapes = [t.shape[1:] for t in taps] + [target.shape[1:]]
            arrays = [np.lib.format.open_memmap(part / f"{n}.npy", "w+", np.float16, (len(ids), *s))
                      for n, s in zip([*(f"f{i}" for i in range(TAPS)), "ab"], shapes)]
        for a, t in zip(arrays, [*taps, target]):
            a[k: k + len(rows)] = t.numpy().astype(np.float16)
        if (k // batch) % 100 == 0:
            print(f"  {k + len(rows)}/{len(ids)} crops, {time.time() - t0:.0f} s", flush=True)
    for a in arrays:
        a.flush()
    part.rename(store)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--weights", type=Path, required=True, help="effunet weights: the encoder stays as it is.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--crops", type=int, default=2, help="Random crops of every training photo.")
    ap.add_argument("--degrade", type=float, default=0.5, help="Share of film-like inputs (the run's --degrade).")
    ap.add_argument("--group-weight", nargs="*", default=["flowers-tf-128px=0.5", "caltech101=0.7"])
    ap.add_argument("--rebalance", type=float, default=0.7)
    ap.add_argument("--l1-weight", type=float, default=0.05)
    ap.add_argument("--temperature", type=float, default=1.1, help="The decoding the L1 term sees.")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--val-images", type=int, default=256)
    ap.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "vidcolor")
    args = ap.parse_args()

    ckpt = read_checkpoint(args.weights)
    net = net_from_checkpoint(ckpt).to(memory_format=torch.channels_last)
    cache = build_cache([args.data], args.cache_dir)
    weights = parse_weights(tuple(args.group_weight))
    sampler = CropSampler(cache, CropConfig(group_weights=weights), 7, split_of(cache, validation_names()))
    store = args.cache_dir / f"taps-{ckpt['sha256'][:12]}-{args.crops}x-film{args.degrade}"
    if not store.exists():
        print(f"encoding {args.crops} crops of {len(sampler.train_ids)} training photos into {store}")
        build_taps(net, sampler, store, args.crops, args.degrade)
    taps = [np.load(store / f"f{i}.npy", mmap_mode="r") for i in range(TAPS)]
    targets = np.load(store / "ab.npy", mmap_mode="r")
    class_weights = torch.from_numpy(ab_bins.rebalance_weights(sampler.ab_prior(), args.rebalance))
    holdout = sampler.holdout(args.val_images)

    def scores(model: torch.nn.Module) -> str:
        s = holdout_scores(Colorizer(model.eval(), ModelInfo("effunet"), "cpu"), holdout, (args.temperature,))
        return " | ".join(f"{look} " + " ".join(f"{s[f'{look}@T{args.temperature}/{k}']:.4g}" for k in
                          ("gain", "cf_sigma_ratio", "hue45", "neutral_cast")) for look in ("clean", "film"))

    print(f"as loaded (gain, CF-σ, hue45, cast at T {args.temperature}): {scores(net)}", flush=True)
    params = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    for p in net.encoder.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-4)
    ema = copy.deepcopy(net)
    steps = int(args.epochs * len(targets) / args.batch_size)
    rng = np.random.default_rng(12345)
    t0 = time.time()
    for step in range(1, steps + 1):
        net.train()
        net.encoder.eval()  # fixed: its batch statistics are the ones the taps were computed with
        for g in opt.param_groups:
            g["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * (step - 1) / steps))
        rows = np.sort(rng.choice(len(targets), args.batch_size, replace=False))
        batch = [torch.from_numpy(t[rows].astype(np.float32)).contiguous(memory_format=torch.channels_last)
                 for t in taps]
        logits, _ = net.split_output(net.decode(tuple(batch)))
        losses = classification_loss(logits, torch.from_numpy(targets[rows].astype(np.float32)), class_weights,
                                     args.temperature, args.l1_weight)
        opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema.state_dict().values(), net.state_dict().values()):
                e.copy_(e * 0.999 + p * 0.001 if e.is_floating_point() else p)
        if step % 100 == 0:
            print(f"step {step}/{steps} loss {float(losses['loss'].detach()):.3f} "
                  f"{step * args.batch_size / (time.time() - t0):.1f} crops/s", flush=True)
        if step % args.val_every == 0 or step == steps:
            print(f"step {step} (EMA): {scores(ema)}", flush=True)
    meta = dict(ckpt["meta"])
    meta["decoder_phase"] = (f"decoder, context and head trained {steps} steps x {args.batch_size} on cached encoder "
                             f"taps ({args.crops} crops per training photo, film-like {args.degrade}), lr {args.lr}, "
                             f"EMA 0.999 (scripts/decoder_phase.py)")
    meta["command"] = meta.get("command", "") + " ; python " + " ".join(sys.argv)
    save_weights(args.out, ema, "effunet", ckpt["config"], meta)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
