"""Quantized ab space for colorization as classification (Zhang et al. 2016).

The ab plane is cut into 10x10 cells; a cell is a class when some sRGB color
falls in it. Zhang et al. count 313 cells with their gamut routine; OpenCV's
D65 sRGB->Lab reaches exactly the 262 listed below (computed over all 2^24
sRGB colors), so these are the classes. Targets are soft-encoded over the five
nearest cells, rare colors are up-weighted by class rebalancing, and the
prediction is decoded by the annealed mean, which keeps color vivid where the
plain mean would turn it brown.
"""

from __future__ import annotations

import numpy as np
import torch

GRID = 10
# For each a (step 10): the contiguous range of b values (step 10) in gamut.
_B_RANGE_BY_A = {
    -90: (80, 80), -80: (40, 80), -70: (20, 90), -60: (0, 90), -50: (-20, 90),
    -40: (-30, 90), -30: (-40, 90), -20: (-40, 90), -10: (-50, 90), 0: (-60, 90),
    10: (-70, 80), 20: (-80, 80), 30: (-80, 80), 40: (-90, 80), 50: (-90, 70),
    60: (-100, 70), 70: (-110, 70), 80: (-110, 70), 90: (-90, 0), 100: (-70, -50),
}
AB_BINS = np.array(
    [(a, b) for a, (lo, hi) in _B_RANGE_BY_A.items() for b in range(lo, hi + 1, GRID)],
    dtype=np.float32,
)
NUM_BINS = len(AB_BINS)
SOFT_NEIGHBOURS = 5
SOFT_SIGMA = 5.0

_lookup: tuple[torch.Tensor, torch.Tensor] | None = None


def _soft_lookup() -> tuple[torch.Tensor, torch.Tensor]:
    """Nearest bins and Gaussian weights for every integer ab in [-128, 127]^2."""
    global _lookup
    if _lookup is None:
        grid = torch.arange(-128, 128, dtype=torch.float32)
        ab = torch.stack(torch.meshgrid(grid, grid, indexing="ij"), -1).reshape(-1, 2)
        dist = torch.cdist(ab, torch.from_numpy(AB_BINS))
        d, idx = dist.topk(SOFT_NEIGHBOURS, dim=1, largest=False)
        w = torch.exp(-(d**2) / (2 * SOFT_SIGMA**2))
        w = w / w.sum(1, keepdim=True)
        _lookup = (idx.reshape(256, 256, -1), w.reshape(256, 256, -1))
    return _lookup


def soft_encode(ab: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, 2, H, W) ab to the 5 nearest bin indices and weights, each (B, 5, H, W)."""
    idx_t, w_t = _soft_lookup()
    ai = (ab[:, 0].round().clamp(-128, 127) + 128).long()
    bi = (ab[:, 1].round().clamp(-128, 127) + 128).long()
    idx = idx_t.to(ab.device)[ai, bi].permute(0, 3, 1, 2)
    w = w_t.to(ab.device)[ai, bi].permute(0, 3, 1, 2)
    return idx, w


def nearest_bin(ab: torch.Tensor) -> torch.Tensor:
    """(B, 2, H, W) ab to the index of the nearest bin, (B, H, W)."""
    return soft_encode(ab)[0][:, 0]


def annealed_mean(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """(B, Q, H, W) logits to (B, 2, H, W) ab: the mean of softmax(z / T)."""
    return mean_ab(torch.softmax(logits / temperature, dim=1))


def mean_ab(p: torch.Tensor) -> torch.Tensor:
    """(B, Q, H, W) bin probabilities to their mean ab, (B, 2, H, W)."""
    bins = torch.from_numpy(AB_BINS).to(device=p.device, dtype=p.dtype)
    return torch.einsum("bqhw,qc->bchw", p, bins)


def confidence(logits: torch.Tensor) -> torch.Tensor:
    """(B, Q, H, W) logits to (B, 1, H, W) in [0, 1]: 1 − entropy / log Q of the predicted distribution.

    Near 1 where the network is sure of one color (sky, grass, skin), near 0 where it spreads
    its bet over many (a wall, a shirt, a car of unknown paint).
    """
    logp = torch.log_softmax(logits, dim=1)
    entropy = -(logp.exp() * logp).sum(1, keepdim=True)
    return 1.0 - entropy / float(np.log(NUM_BINS))


def _near(radius: float, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """(Q, Q): 1 where two bins are within ``radius`` ab units of each other."""
    bins = torch.from_numpy(AB_BINS)
    return (torch.cdist(bins, bins) <= radius).to(device=device, dtype=dtype)


def dominant_mode_mean(logits: torch.Tensor, temperature: float, radius: float) -> torch.Tensor:
    """(B, Q, H, W) logits to ab: the annealed mean taken only over the bins within ``radius`` of the
    dominant mode, the bin whose neighbourhood holds the most probability.

    Where the network hesitates between a red and a blue shirt, the annealed mean across both is a
    muddy purple-gray; within the stronger mode it is one of the two, at its own saturation.
    """
    p = torch.softmax(logits / temperature, dim=1)
    near = _near(radius, logits.device, p.dtype)
    mass = torch.einsum("bqhw,qr->brhw", p, near)
    mode = mass.argmax(1)  # (B, H, W)
    local = p * near[mode].permute(0, 3, 1, 2)
    return mean_ab(local / local.sum(1, keepdim=True).clamp(min=1e-12))


# The most chroma restoration may multiply a pixel's chroma by (before its exponent): a mean near zero
# over opposite hues is a guess, not a washed-out color.
RESTORE_MAX = 4.0


def restore_chroma(p: torch.Tensor, ab: torch.Tensor, strength: float) -> torch.Tensor:
    """``ab``, the mean of the bin probabilities ``p``, with its chroma raised towards their expected
    chroma: × (E|ab| / |E ab|)^strength, the ratio at most ``RESTORE_MAX``; hue kept.

    A mean over bins of neighbouring hues is paler than any of them (a red-to-orange bet comes out
    pink-beige), so vivid clothing loses its color; the expected chroma says how vivid the network
    thinks the pixel is. The ratio is 1 where the bet is one hue, so sure colors are unchanged.
    """
    bins = torch.from_numpy(AB_BINS).to(device=p.device, dtype=p.dtype)
    expected = torch.einsum("bqhw,q->bhw", p, bins.norm(dim=1))[:, None]
    ratio = expected / ab.norm(dim=1, keepdim=True).clamp(min=1e-3)
    return ab * ratio.clamp(1.0, RESTORE_MAX) ** strength


def decode_logits(logits: torch.Tensor, temperature: float, gate: float = 0.0,
                  mode_radius: float = 0.0, restore: float = 0.0,
                  shift: torch.Tensor | None = None) -> torch.Tensor:
    """Logits to ab: the annealed mean (over the dominant mode only when ``mode_radius`` > 0), its chroma
    raised towards the expected chroma when ``restore`` > 0, scaled by min(1, confidence / gate) when
    gate > 0. ``shift`` (Q,), where given, is taken from every pixel's logits before the mean (the class
    rebalancing undone: ``archs.base.ChromaNet.logit_shift``); the gate reads the network's own confidence.

    Where the model does not know, a gray wall stays gray instead of taking the average of every
    color it might be (which is the prior's sepia): chroma leans to neutral, hue is kept.
    """
    if restore > 0 and mode_radius > 0:
        raise ValueError("chroma restoration works on the annealed mean over every bin: use mode_radius 0")
    raw = logits
    if shift is not None:
        logits = logits - shift.to(device=logits.device, dtype=logits.dtype)[None, :, None, None]
    if restore > 0:
        p = torch.softmax(logits / temperature, dim=1)
        ab = restore_chroma(p, mean_ab(p), restore)
    elif mode_radius > 0:
        ab = dominant_mode_mean(logits, temperature, mode_radius)
    else:
        ab = annealed_mean(logits, temperature)
    if gate > 0:
        ab = ab * (confidence(raw.float()) / gate).clamp(max=1.0)
    return ab


def empirical_prior(ab_samples: np.ndarray) -> np.ndarray:
    """Class frequencies of an (N, 2) sample of ab, smoothed as in the paper."""
    idx = nearest_bin(torch.from_numpy(ab_samples.T.reshape(1, 2, -1, 1).astype(np.float32)))
    counts = np.bincount(idx.flatten().numpy(), minlength=NUM_BINS).astype(np.float64)
    p = counts / max(counts.sum(), 1.0)
    d2 = ((AB_BINS[:, None, :] - AB_BINS[None, :, :]) ** 2).sum(-1)
    kernel = np.exp(-d2 / (2 * SOFT_SIGMA**2))
    p = kernel @ p
    return (p / p.sum()).astype(np.float32)


def rebalance_weights(prior: np.ndarray, mix: float = 0.5) -> np.ndarray:
    """w ∝ ((1 - λ) p + λ / Q)^-1, normalised so that E_p[w] = 1."""
    w = 1.0 / ((1.0 - mix) * prior + mix / NUM_BINS)
    return (w / (prior * w).sum()).astype(np.float32)
