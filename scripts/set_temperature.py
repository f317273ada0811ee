"""Set the annealed-mean temperature a weights file decodes with by default.

The temperature is a decoding choice, not a trained weight: it is picked from
the eval sweep (README) after training and stored in the checkpoint's config,
so ``vidcolor run`` uses it without a flag. The tensors (and their sha256) are
unchanged.

    python scripts/set_temperature.py weights/effunet.pt 1.1
"""

from __future__ import annotations

import sys

from vidcolor.models.checkpoint import atomic_save, read_checkpoint


def main() -> None:
    path, temperature = sys.argv[1], float(sys.argv[2])
    ckpt = read_checkpoint(path)
    if "temperature" not in ckpt["config"] and ckpt["arch"] != "effunet":
        sys.exit(f"{path}: model '{ckpt['arch']}' has no temperature")
    old = ckpt["config"].get("temperature")
    ckpt["config"]["temperature"] = temperature
    ckpt["meta"]["temperature_note"] = f"set to {temperature} from the eval sweep (was {old})"
    atomic_save(ckpt, path)
    print(f"{path}: temperature {old} -> {temperature}")


if __name__ == "__main__":
    main()
