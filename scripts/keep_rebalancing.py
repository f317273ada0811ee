"""Keep in a weights file the class rebalancing weights it was trained with, so that a decoding can undo
them (``prior_correction``: the film decoding's error-optimal guess, README "On video").

Weights trained with ``--set keeps_rebalancing=true`` keep them already. For older ones they are rebuilt
from the training photos exactly as the trainer drew them (its fixed sample of 512 crops, cut as the file's
``train_config`` says, and its λ); the network's tensors are unchanged, one buffer is added (the sha256
changes):

    python scripts/keep_rebalancing.py weights/effunet.pt ../shared/data/train
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from vidcolor.models.checkpoint import atomic_save, read_checkpoint, state_digest
from vidcolor.models.zoo import net_from_checkpoint
from vidcolor.training.data import CropConfig
from vidcolor.training.loop import training_class_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", type=Path)
    ap.add_argument("folder", type=Path, help="The training photos the weights were trained on.")
    ap.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "vidcolor")
    args = ap.parse_args()
    ckpt = read_checkpoint(args.weights)
    run = ckpt["meta"].get("train_config")
    if not run or "crop" not in run or "rebalance" not in run:
        raise SystemExit(f"{args.weights}: no train_config in its metadata: how it was trained is unknown")
    if "keeps_rebalancing" not in type(net_from_checkpoint(ckpt).config).__dataclass_fields__:
        raise SystemExit(f"{args.weights}: model '{ckpt['arch']}' cannot keep its rebalancing")
    log_w = np.log(training_class_weights(args.folder, args.cache_dir, CropConfig(**run["crop"]), run["rebalance"]))
    ckpt["config"]["keeps_rebalancing"] = True
    ckpt["state_dict"]["rebalance_log_w"] = torch.from_numpy(log_w).half()
    old = ckpt["sha256"]
    ckpt["sha256"] = state_digest(ckpt["state_dict"])
    ckpt["meta"]["rebalancing_note"] = (f"class weights (λ {run['rebalance']}, crops {run['crop']}) rebuilt from "
                                        f"{args.folder} by scripts/keep_rebalancing.py; the network's tensors "
                                        f"are those of sha256 {old}")
    net_from_checkpoint(ckpt)  # the file still loads
    atomic_save(ckpt, args.weights)
    print(f"{args.weights}: keeps its class rebalancing (log w in [{log_w.min():.2f}, {log_w.max():.2f}]); "
          f"sha256 {old[:12]} -> {ckpt['sha256'][:12]}")


if __name__ == "__main__":
    main()
