"""Write the validation split of the training photos (run once; the list is committed).

    python scripts/make_split.py ../shared/data/train > vidcolor/training/validation.txt
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from vidcolor.training.data import IMAGE_SUFFIXES
from vidcolor.training.split import FRACTION, make_split


def main() -> None:
    root = Path(sys.argv[1])
    names = make_split(root, IMAGE_SUFFIXES)
    print(f"# validation split of {root.name}/: {FRACTION:.0%} of each folder by a hash of the name; never trained on")
    print("\n".join(names))
    per = Counter(n.split("/")[0] for n in names)
    print(", ".join(f"{k} {v}" for k, v in sorted(per.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
