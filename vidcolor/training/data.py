"""Training photos, decoded once into a uint8 memmap and sampled as random crops.

Decoding JPEGs would keep the two CPU cores busy with libjpeg instead of the
model; decoded once, a crop costs a slice and a resize.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..media.color import L_to_gray, rgb_to_lab
from ..media.degrade import degrade_film
from ..media.images import IMAGE_SUFFIXES
from ..models import ab_bins

log = logging.getLogger(__name__)


def list_images(dirs: list[Path]) -> list[tuple[str, Path, str]]:
    """(group, path, name) for every image under the dirs; group is the first sub-folder,
    name the path relative to its root (as the validation list spells it)."""
    found = []
    for root in dirs:
        for p in sorted(root.rglob("*")):
            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
                rel = p.relative_to(root)
                found.append((rel.parts[0] if len(rel.parts) > 1 else root.name, p, rel.as_posix()))
    return found


@dataclass
class PhotoCache:
    """All photos as one flat uint8 RGB memmap plus (offset, h, w, group) rows and their names."""

    pixels: np.ndarray
    index: np.ndarray  # int64 rows: offset, height, width, group id
    groups: list[str]
    names: list[str]  # relative path of each row

    def image(self, i: int) -> np.ndarray:
        off, h, w, _ = self.index[i]
        return self.pixels[off: off + h * w * 3].reshape(h, w, 3)

    def __len__(self) -> int:
        return len(self.index)


def build_cache(dirs: list[Path], cache_dir: Path) -> PhotoCache:
    """Decode the photos once (reused while the file list is unchanged)."""
    files = list_images(dirs)
    if not files:
        raise ValueError(f"no images found under {', '.join(map(str, dirs))}")
    key = hashlib.sha256("\n".join(f"{p}:{p.stat().st_size}" for _, p, _ in files).encode()).hexdigest()[:16]
    base = cache_dir / f"photos-{key}"
    meta_path = base.with_suffix(".json")
    if not meta_path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        groups = sorted({g for g, _, _ in files})
        rows, names, offset = [], [], 0
        tmp = base.with_suffix(".u8.partial")
        with open(tmp, "wb") as fh:
            for n, (group, path, name) in enumerate(files):
                bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if bgr is None:
                    log.warning("%s: unreadable image, skipped", path)
                    continue
                rgb = np.ascontiguousarray(bgr[..., ::-1])
                fh.write(rgb.tobytes())
                rows.append((offset, rgb.shape[0], rgb.shape[1], groups.index(group)))
                names.append(name)
                offset += rgb.size
                if n % 2000 == 0:
                    log.info("decoding training photos: %d/%d", n, len(files))
        np.save(base.with_suffix(".index.npy"), np.array(rows, np.int64))
        os.replace(tmp, base.with_suffix(".u8"))
        meta_path.write_text(json.dumps({"groups": groups, "files": len(rows), "names": names}))
    meta = json.loads(meta_path.read_text())
    index = np.load(base.with_suffix(".index.npy"))
    pixels = np.memmap(base.with_suffix(".u8"), dtype=np.uint8, mode="r")
    return PhotoCache(pixels, index, meta["groups"], meta["names"])


@dataclass
class CropConfig:
    """How training crops are cut."""

    size: int = 160
    scale_min: float = 1.0  # short side is resized to size * U(scale_min, scale_max)
    scale_max: float = 1.4
    group_weights: dict[str, float] = field(default_factory=dict)
    degrade: float = 0.0  # share of training inputs given a film-like look (targets stay clean)


class CropSampler:
    """Random crops of the photos outside the validation split, groups weighted as configured."""

    def __init__(self, cache: PhotoCache, config: CropConfig, seed: int,
                 validation: frozenset[str] = frozenset()) -> None:
        self.cache, self.config = cache, config
        held = np.array([name in validation for name in cache.names], bool)
        ids = np.arange(len(cache))
        self.train_ids, self.holdout_ids = ids[~held], ids[held]
        if not len(self.train_ids):
            raise ValueError("every photo is in the validation split: nothing to train on")
        gw = np.array([config.group_weights.get(g, 1.0) for g in cache.groups])
        w = gw[cache.index[self.train_ids, 3]]
        self.p = w / w.sum()
        self.rng = np.random.default_rng(seed)

    def crop(self, img: np.ndarray, rng: np.random.Generator, train: bool = True) -> np.ndarray:
        s = self.config.size
        h, w = img.shape[:2]
        scale = s * (rng.uniform(self.config.scale_min, self.config.scale_max) if train else 1.0) / min(h, w)
        nh, nw = max(s, round(h * scale)), max(s, round(w * scale))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        y = rng.integers(0, nh - s + 1) if train else (nh - s) // 2
        x = rng.integers(0, nw - s + 1) if train else (nw - s) // 2
        img = img[y: y + s, x: x + s]
        return img[:, ::-1] if train and rng.random() < 0.5 else img

    def batch(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n random training crops as (gray (n,1,s,s), ab (n,2,s,s)) float32."""
        ids = self.rng.choice(self.train_ids, size=n, p=self.p)
        gray, ab = to_gray_ab(np.stack([self.crop(self.cache.image(i), self.rng) for i in ids]))
        for g in gray[:, 0] if self.config.degrade > 0 else ():
            if self.rng.random() < self.config.degrade:
                g[:] = degrade_film(g, self.rng)
        return gray, ab

    def ab_prior(self, n: int = 512, seed: int = 12345) -> np.ndarray:
        """How often each ab bin occurs in n training crops: the same fixed sample every run, so the
        rebalancing weights (and anything that undoes them) never drift; the sampling stream is left as found."""
        state = self.rng.bit_generator.state
        self.rng = np.random.default_rng(seed)
        _, ab = self.batch(n)
        self.rng.bit_generator.state = state
        return ab_bins.empirical_prior(ab[:, :, ::4, ::4].transpose(0, 2, 3, 1).reshape(-1, 2))

    def holdout(self, n: int) -> np.ndarray:
        """Center crops of n validation photos spread over the split (uint8 RGB), same every time."""
        rng = np.random.default_rng(0)
        ids = self.holdout_ids[np.linspace(0, len(self.holdout_ids) - 1, min(n, len(self.holdout_ids))).astype(int)] \
            if len(self.holdout_ids) else self.holdout_ids
        return np.stack([self.crop(self.cache.image(i), rng, train=False) for i in ids])


def to_gray_ab(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 RGB (n,h,w,3) to the model input (gray with the same L) and ab target."""
    lab = np.stack([rgb_to_lab(im) for im in rgb])
    gray = L_to_gray(lab[..., 0])[:, None]
    ab = np.ascontiguousarray(lab[..., 1:].transpose(0, 3, 1, 2))
    return gray, ab
