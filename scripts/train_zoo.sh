#!/usr/bin/env bash
# Train every seed model of the zoo for a fixed CPU budget, one after another, on one
# thread each (the default model trains beside them on the other core).
# Usage: scripts/train_zoo.sh [MINUTES_PER_MODEL] [MODEL...]   (run in the background;
# each model logs to weights/NAME.log and can be continued with --resume)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
shift || true
data=../shared/data/train
groups=(--group-weight bsds300-train200=3 --group-weight imagenet-sample-images=2 --group-weight sr-classic=2
        --group-weight caltech101=0.7 --group-weight flowers-tf-128px=0.6)
# schedule lengths: about what one core gets through in the budget at 128 px, batch 16
declare -A steps=([colornet]=450 [resnet-deconv]=300 [unet-cls]=200 [unet-cls-flat]=200 [autoencoder]=300 [gan]=600)
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(colornet resnet-deconv unet-cls unet-cls-flat autoencoder gan)
for arch in "${models[@]}"; do
  vidcolor --threads 1 train "$data" --arch "$arch" --crop 128 --batch-size 16 --warmup 30 \
    --steps "${steps[$arch]}" --minutes "$minutes" "${groups[@]}" --resume
done
