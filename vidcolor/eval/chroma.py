"""Measures that see casts and hues, not only "how colorful".

Colorfulness (Hasler–Süsstrunk) rewards a uniform tint through its mean term,
and PSNR on RGB mixes luminance handling into a color result. These compare
only the chroma a model predicted, placed on the *true* lightness, with the
truth (Lab from OpenCV on float RGB in [0, 1]):

* chroma PSNR: PSNR (peak 1) of the truth's L with the predicted ab, against the truth;
  its gain over gray (ab = 0 on the same L) says whether color helped at all;
* CF-σ: colorfulness without its mean term, √(σ_rg² + σ_yb²) (RGB 0..255);
* hue45: of the pixels whose true chroma > 15, the share where the predicted chroma
  > 5 and its hue is within 45° of the truth's;
* neutral cast: the mean predicted chroma over pixels whose true chroma < 6.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..media.color import lab_to_rgb, rgb_to_lab

VIVID_CHROMA = 15.0
SHOWN_CHROMA = 5.0
NEUTRAL_CHROMA = 6.0
HUE_TOLERANCE = 45.0


@dataclass(frozen=True)
class ChromaScores:
    """One picture's color measures (NaN where a measure has no pixels to look at)."""

    chroma_psnr: float
    gray_psnr: float
    cf_sigma: float  # of the prediction on the true L
    cf_sigma_true: float
    hue45: float
    neutral_cast: float

    @property
    def gain(self) -> float:
        return self.chroma_psnr - self.gray_psnr


def psnr_unit(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two float images in [0, 1]."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def cf_sigma(rgb: np.ndarray) -> float:
    """√(σ_rg² + σ_yb²) of an RGB image (0..255 scale; float [0, 1] input is scaled)."""
    x = rgb.astype(np.float64) * (255.0 if rgb.dtype != np.uint8 else 1.0)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    return float(np.hypot((r - g).std(), (0.5 * (r + g) - b).std()))


def chroma(ab: np.ndarray) -> np.ndarray:
    return np.hypot(ab[..., 0], ab[..., 1])


def hue45(pred_ab: np.ndarray, true_ab: np.ndarray) -> float:
    """Share of vivid true pixels whose predicted hue is shown and within 45° (NaN if none)."""
    vivid = chroma(true_ab) > VIVID_CHROMA
    if not vivid.any():
        return float("nan")
    p, t = pred_ab[vivid], true_ab[vivid]
    diff = np.abs(np.arctan2(p[:, 1], p[:, 0]) - np.arctan2(t[:, 1], t[:, 0]))
    diff = np.degrees(np.minimum(diff, 2 * np.pi - diff))
    return float(np.mean((chroma(p) > SHOWN_CHROMA) & (diff <= HUE_TOLERANCE)))


def neutral_cast(pred_ab: np.ndarray, true_ab: np.ndarray) -> float:
    """Mean predicted chroma where the truth is neutral (NaN if nothing is)."""
    neutral = chroma(true_ab) < NEUTRAL_CHROMA
    return float(chroma(pred_ab[neutral]).mean()) if neutral.any() else float("nan")


def chroma_scores(truth_rgb: np.ndarray, pred_ab: np.ndarray) -> ChromaScores:
    """The measures for one picture: truth as RGB (uint8 or float [0, 1]), prediction as ab at its size."""
    truth = truth_rgb.astype(np.float32) / 255.0 if truth_rgb.dtype == np.uint8 else truth_rgb.astype(np.float32)
    lab = rgb_to_lab(truth)
    on_true_L = lab_to_rgb(np.dstack([lab[..., :1], pred_ab.astype(np.float32)]))
    gray = lab.copy()
    gray[..., 1:] = 0
    return ChromaScores(
        chroma_psnr=psnr_unit(on_true_L, truth), gray_psnr=psnr_unit(lab_to_rgb(gray), truth),
        cf_sigma=cf_sigma(on_true_L), cf_sigma_true=cf_sigma(truth),
        hue45=hue45(pred_ab, lab[..., 1:]), neutral_cast=neutral_cast(pred_ab, lab[..., 1:]))


@dataclass(frozen=True)
class ChromaSummary:
    """Means over a set; CF-σ as the ratio of the means (prediction over truth)."""

    pictures: int
    chroma_psnr: float
    gain: float
    cf_sigma_ratio: float
    hue45: float
    neutral_cast: float

    def as_dict(self) -> dict[str, float]:
        return {"chroma_psnr": self.chroma_psnr, "gain": self.gain, "cf_sigma_ratio": self.cf_sigma_ratio,
                "hue45": self.hue45, "neutral_cast": self.neutral_cast, "pictures": self.pictures}


def summarize(scores: list[ChromaScores]) -> ChromaSummary:
    """Per-picture means (NaN-aware: a picture with no vivid pixels does not count for hue45)."""
    def mean(values: list[float]) -> float:
        arr = np.array(values, np.float64)
        return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")

    return ChromaSummary(
        pictures=len(scores), chroma_psnr=mean([s.chroma_psnr for s in scores]),
        gain=mean([s.gain for s in scores]),
        cf_sigma_ratio=mean([s.cf_sigma for s in scores]) / max(mean([s.cf_sigma_true for s in scores]), 1e-9),
        hue45=mean([s.hue45 for s in scores]), neutral_cast=mean([s.neutral_cast for s in scores]))
