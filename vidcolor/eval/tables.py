"""The tables ``vidcolor eval`` prints for videos, and the totals the temporal stage is judged by."""

from __future__ import annotations

import numpy as np

from .videos import VideoScores


def format_video_table(rows: dict[str, list[VideoScores]]) -> str:
    lines = [f"{'video':<28}{'method':<15}{'warp err':>10}{'CDC':>9}{'PSNR dB':>9}{'colorful':>10}"
             f"{'gain dB':>9}{'CF-σ':>7}{'hue45':>7}{'neutral':>9}"]
    for video, scores in rows.items():
        for s in scores:
            c = s.chroma
            extra = (f"{c.gain:>+9.2f}{c.cf_sigma_ratio:>7.3f}{c.hue45:>7.3f}{c.neutral_cast:>9.2f}"
                     if c is not None else "")
            lines.append(f"{video[:27]:<28}{s.name:<15}{s.warping_error:>10.5f}{s.cdc:>9.5f}"
                         f"{s.psnr:>9.2f}{s.colorfulness:>10.2f}{extra}")
    return "\n".join(lines)


# Do no harm: no clip's chroma more than this far below gray's (the bar for video)
HARM_DB = -1.0


def summarize_videos(rows: dict[str, list[VideoScores]]) -> str:
    """Totals over all videos: the ratios the temporal stage is judged by, and the chroma gain per clip."""
    e = np.array([[s.warping_error for s in r] for r in rows.values()])
    c = np.array([[s.cdc for s in r] for r in rows.values()])
    p = np.array([[s.psnr for s in r] for r in rows.values()])
    f = np.array([[s.colorfulness for s in r] for r in rows.values()])
    g = np.array([[s.chroma.gain for s in r[1:]] for r in rows.values()])
    e_orig, e_off, e_on = e.mean(0)[:3]
    # what per-frame colorization adds to the footage's own flicker, and the share the temporal stage takes away
    # (pale colors can flicker less than the original's: then there is no excess to cut; the temporal stage can
    # take it below the original's own: then all of it is cut)
    if e_off <= 1.01 * e_orig:
        excess = "per-frame color adds no flicker beyond the original's"
    elif e_on <= e_orig:
        excess = "flicker excess cut 100%, below the original's own"
    else:
        excess = f"flicker excess cut {1 - (e_on - e_orig) / (e_off - e_orig):.0%}"
    return (f"mean over {len(rows)} videos: warping error original {e_orig:.5f}, off {e_off:.5f}, "
            f"temporal {e_on:.5f} ({e_on / e_orig:.3f}x original; {excess}); "
            f"CDC original {c[:, 0].mean():.5f}, off {c[:, 1].mean():.5f}, temporal {c[:, 2].mean():.5f} "
            f"({c[:, 2].mean() / c[:, 0].mean():.3f}x original); PSNR off {np.mean(p[:, 1]):.2f} dB, "
            f"temporal {np.mean(p[:, 2]):.2f} dB; colorfulness off {f[:, 1].mean():.2f}, "
            f"temporal {f[:, 2].mean():.2f}; chroma gain over gray (temporal) mean {g[:, 1].mean():+.2f} dB, "
            f"worst clip {g[:, 1].min():+.2f} dB, {int((g[:, 1] < HARM_DB).sum())} of {len(g)} clips below "
            f"{HARM_DB:g} dB")
