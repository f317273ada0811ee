#!/usr/bin/env bash
# The effunet run now under way (docs/training-history.md, "Next choice"): from the shipped step-30,000
# file, three quarters of the inputs film-like, encoder batch-norm statistics fixed, lr schedule to 40,000.
# Run it in the background; run it again to resume. It resumes from, in order: the run folder's last
# checkpoint (same machine), the run's exported weights (RUN/effunet.pt), a candidate file given as $1
# (a fresh machine: a step-N.pt export carried over), else the shipped weights (step 30,000).
#   setsid scripts/run_effunet_film75.sh > /dev/null 2>&1 &    # log: RUN/train.log
set -euo pipefail
cd "$(dirname "$0")/.."
run=${VIDCOLOR_RUN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vidcolor/runs/effunet-film75}
mkdir -p "$run"
if [ $# -gt 0 ] && [ ! -e "$run/last.pt" ] && [ ! -e "$run/effunet.pt" ]; then cp "$1" "$run/effunet.pt"; fi
exec nice -n 10 vidcolor train ../shared/data/train --arch effunet --set global_context=true --set temperature=1.1 \
  --out "$run/effunet.pt" --run-dir "$run" --log "$run/train.log" --steps 40000 --warmup 200 --lr 1.5e-4 \
  --l1-weight 0.05 --rebalance 0.7 --degrade 0.75 --frozen-encoder-bn \
  --group-weight flowers-tf-128px=0.5 --group-weight caltech101=0.7 --threads 2 --resume
