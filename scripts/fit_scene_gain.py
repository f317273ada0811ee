"""Give effunet weights a picture-wide chroma gain (SceneGain), fitted with the rest of the network fixed.

The gain's loss only needs, per picture, the pooled deepest features and three numbers of the decoded
colors against the truth (training.losses.gain_stats), so the network runs once per photo and the gain
is fitted on those in seconds: far more learning per CPU-hour than end-to-end steps. Training photos
outside the validation split teach it (clean and film-like, as `vidcolor eval --degrade film` makes
them); the validation split chooses the weight decay and the training length, and reports.

    python scripts/fit_scene_gain.py ../shared/data/train --weights BASE.pt --out weights/effunet.pt
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from vidcolor.media.degrade import degrade_film, seed_for
from vidcolor.models.archs.base import Decoding, remove_cast
from vidcolor.models.archs.effunet import SceneGain
from vidcolor.models.checkpoint import read_checkpoint, save_weights
from vidcolor.models.colorizer import film_decoding_of, upsample_ab
from vidcolor.models.zoo import build_model, make_config
from vidcolor.training.data import build_cache, to_gray_ab
from vidcolor.training.losses import gain_stats, scene_gain_loss
from vidcolor.training.split import validation_names

DB = 10 / math.log(10)  # nepers of error ratio -> dB


BUCKETS = ((160, 160), (160, 208), (160, 240), (160, 288), (208, 160), (240, 160))  # (h, w) working shapes


def bucket_of(h: int, w: int) -> tuple[int, int]:
    """The working shape of the nearest aspect: a few fixed shapes let the network run in batches, and
    spare the CPU a new convolution plan for every photo's size."""
    return min(BUCKETS, key=lambda b: abs(math.log((w / h) / (b[1] / b[0]))))


def fitted(rgb: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The picture's (RGB or gray) center cut to the shape's aspect, then resized to it (area)."""
    h, w = rgb.shape[:2]
    bh, bw = shape
    if w * bh > h * bw:
        cw = round(h * bw / bh)
        rgb = rgb[:, (w - cw) // 2: (w - cw) // 2 + cw]
    else:
        ch = round(w * bh / bw)
        rgb = rgb[(h - ch) // 2: (h - ch) // 2 + ch]
    return cv2.resize(np.ascontiguousarray(rgb), (bw, bh), interpolation=cv2.INTER_AREA)


def collect(cache, ids: np.ndarray, net, decodings: list[Decoding], batch: int = 16) -> dict[str, np.ndarray]:
    """Per photo and look (clean, film): pooled deepest features and gain_stats for every decoding."""
    pooled: list[torch.Tensor] = []
    net.scene.register_forward_hook(lambda m, args, out: pooled.append(SceneGain.pool(args[0])))
    shapes = [bucket_of(*cache.image(int(i)).shape[:2]) for i in ids]
    feats, stats, film = [], [], []
    t0, done = time.time(), 0
    for shape in BUCKETS:
        group = [int(i) for i, s in zip(ids, shapes) if s == shape]
        for k in range(0, len(group), batch):
            part = group[k: k + batch]
            rgb = np.stack([fitted(cache.image(i), shape) for i in part])
            gray, ab = to_gray_ab(rgb)
            full = [cv2.cvtColor(np.ascontiguousarray(cache.image(i)), cv2.COLOR_RGB2GRAY).astype(np.float32)
                    for i in part]
            aged = np.stack([fitted(degrade_film(g, np.random.default_rng(seed_for(cache.names[i]))), shape)
                             for g, i in zip(full, part)])[:, None]
            for look, inputs in ((0, gray), (1, aged)):
                with torch.inference_mode():
                    main, _ = net.split_output(net(torch.from_numpy(np.ascontiguousarray(inputs))))
                    per_t = [gain_stats(upsample_ab(remove_cast(net.decode_colors(main, d), d.cast_removal or 0.0),
                                                    shape), torch.from_numpy(ab))
                             for d in decodings]
                feats.append(pooled.pop())
                stats.append(torch.stack(per_t, 1))
                film += [look] * len(part)
            done += len(part)
            if done // 500 != (done - len(part)) // 500:
                print(f"  {done}/{len(ids)} photos, {time.time() - t0:.0f} s", flush=True)
    return {"features": torch.cat(feats).numpy(), "stats": torch.cat(stats).numpy(), "film": np.array(film)}


def fit(x: torch.Tensor, s: torch.Tensor, l2: float, steps: int = 500) -> SceneGain:
    """Full-batch Adam on the gain loss plus l2 on the weights, features standardized on the training rows."""
    torch.manual_seed(0)
    head = SceneGain(x.shape[1] // 2)
    head.center.copy_(x.mean(0))
    head.scale.copy_(x.std(0) + 1e-3)
    nn.init.constant_(head.fc.bias, 0.5)
    opt = torch.optim.Adam(head.fc.parameters(), lr=1e-2)
    for _ in range(steps):
        loss = scene_gain_loss(head.from_pooled(x)[:, 0], s) + l2 * (head.fc.weight ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return head


def gain_db(logit: torch.Tensor, s: torch.Tensor) -> float:
    return -DB * float(scene_gain_loss(logit, s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--weights", type=Path, required=True, help="Base effunet weights (kept as they are).")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--photos", type=int, default=6000, help="Training photos to fit on (spread over all).")
    ap.add_argument("--temperature", type=float, default=0.8, help="The decoding the gain is fitted for.")
    ap.add_argument("--temperatures", type=float, nargs="+", default=[0.7, 0.8, 0.95, 1.1],
                    help="Decodings whose statistics are kept (a later fit for any of them reuses the pass).")
    ap.add_argument("--film", action="store_true",
                    help="Fit the gain for the weights' film decoding instead, and use it for films only (the "
                         "photo decoding's scene_gain_power 0, the film decoding's 1).")
    ap.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache" / "vidcolor")
    args = ap.parse_args()
    torch.set_num_threads(torch.get_num_threads())

    ckpt = read_checkpoint(args.weights)
    config = make_config("effunet", ckpt["config"] | {"scene_gain": True})
    net = build_model("effunet", config, pretrained=False).eval()
    missing, unexpected = net.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()}, strict=False)
    assert not unexpected and all(k.startswith("scene.") for k in missing), (missing, unexpected)

    cache = build_cache([args.data], args.cache_dir)
    held = validation_names()
    is_val = np.array([n in held for n in cache.names])
    train_ids = np.flatnonzero(~is_val)
    train_ids = train_ids[np.linspace(0, len(train_ids) - 1, min(args.photos, len(train_ids))).astype(int)]
    val_ids = np.flatnonzero(is_val)
    temps = sorted(set(args.temperatures) | {args.temperature})
    film = film_decoding_of(ckpt, args.weights)
    decodings = [film] if args.film else [Decoding(temperature=t) for t in temps]
    label = "film-" + "-".join(f"{v:g}" for v in film.as_dict().values()) if args.film else \
        "T" + "-".join(map(str, temps))
    store = args.cache_dir / f"scene-gain-{ckpt['sha256'][:12]}-{args.photos}-{label}.npz"
    if store.exists():
        data = dict(np.load(store))
    else:
        print(f"running the network on {len(train_ids)} training and {len(val_ids)} validation photos")
        tr = collect(cache, train_ids, net, decodings)
        va = collect(cache, val_ids, net, decodings)
        data = {f"train_{k}": v for k, v in tr.items()} | {f"val_{k}": v for k, v in va.items()}
        np.savez(store, **data)
    xt, st = (torch.from_numpy(data[f"train_{k}"]).float() for k in ("features", "stats"))
    xv, sv = (torch.from_numpy(data[f"val_{k}"]).float() for k in ("features", "stats"))
    k = 0 if args.film else temps.index(args.temperature)
    st, sv = st[:, k], sv[:, k]
    film_v = torch.from_numpy(data["val_film"]).bool()

    ones = torch.full((len(sv),), 40.0)  # sigmoid = 1: the network as it was
    consts = {g: gain_db(torch.full((len(sv),), math.log(g / (1 - g))), sv) for g in (0.6, 0.7, 0.8, 0.9)}
    print(f"validation ({len(sv) // 2} photos x clean, film): chroma gain over gray in ab, dB: "
          f"no scene gain {gain_db(ones, sv):+.3f}; constant gains " +
          ", ".join(f"{g}: {v:+.3f}" for g, v in consts.items()))
    best = None
    for l2 in (1e-3, 1e-2, 1e-1, 1.0):
        head = fit(xt, st, l2)
        with torch.no_grad():
            logit, tr_db = head.from_pooled(xv)[:, 0], gain_db(head.from_pooled(xt)[:, 0], st)
        v = gain_db(logit, sv)
        clean_db, film_db = gain_db(logit[~film_v], sv[~film_v]), gain_db(logit[film_v], sv[film_v])
        print(f"  l2 {l2:g}: train {tr_db:+.3f}, validation {v:+.3f} (clean {clean_db:+.3f}, film {film_db:+.3f}), "
              f"mean gain {float(torch.sigmoid(logit).mean()):.2f}", flush=True)
        if best is None or v > best[0]:
            best = (v, l2, head.state_dict())
    v, l2, state = best
    print(f"chosen on the validation split: l2 {l2:g}: {v:+.3f} dB (no scene gain {gain_db(ones, sv):+.3f})")
    net.scene.load_state_dict(state)
    meta = dict(ckpt["meta"])
    fitted_for = f"the film decoding {film.as_dict()}" if args.film else f"decoding T {args.temperature}"
    meta["scene_gain"] = (f"SceneGain fitted by scripts/fit_scene_gain.py on {len(train_ids)} training photos "
                          f"(clean and film-like), network fixed, {fitted_for}; l2 {l2:g} "
                          f"chosen on the validation split ({len(val_ids)} photos): ab chroma gain "
                          f"over gray {gain_db(ones, sv):+.3f} -> {v:+.3f} dB")
    meta["command"] = meta.get("command", "") + f" ; python scripts/fit_scene_gain.py {args.data} --weights " \
                      f"{args.weights} --out {args.out} --photos {args.photos} --temperature {args.temperature}" \
                      + (" --film" if args.film else "")
    config = {**ckpt["config"], "scene_gain": True} | ({"scene_gain_power": 0.0} if args.film else {})
    # the file's film decoding goes with it (using the gain if fitted for it)
    film_decoding = dict(ckpt.get("film_decoding", {})) | ({"scene_gain_power": 1.0} if args.film else {})
    save_weights(args.out, net, "effunet", config, meta, film_decoding=film_decoding)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
