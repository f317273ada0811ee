"""Build samples/archive-reel.mp4: a short black-and-white clip with sound.

Made from scikit-image's bundled public-domain / CC0 photographs (astronaut,
chelsea, coffee, rocket): slow pans and zooms, converted to gray, with film
grain, gentle flicker and vignetting, four shots with hard cuts, and an AAC
soundtrack (a little tune over projector noise). Run: python scripts/make_sample.py
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from skimage import data

WIDTH, HEIGHT, FPS = 480, 270, 24
SHOT_SECONDS = 1.5
SHOTS = ("astronaut", "chelsea", "coffee", "rocket")
SAMPLE_RATE = 44100


def shot_frames(name: str, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Gray frames of one shot: a zoom-and-pan over the photo, with grain."""
    img = getattr(data, name)()[..., :3]
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    h, w = gray.shape
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    vignette = 1.0 - 0.35 * (((xx - WIDTH / 2) / WIDTH) ** 2 + ((yy - HEIGHT / 2) / HEIGHT) ** 2) * 2
    frames = []
    for i in range(n):
        t = i / max(n - 1, 1)
        zoom = 1.0 + 0.15 * t
        cw = min(w, h * WIDTH / HEIGHT) / zoom
        ch = cw * HEIGHT / WIDTH
        cx = w / 2 + (t - 0.5) * (w - cw) * 0.6
        cy = h / 2
        m = np.float32([[WIDTH / cw, 0, -(cx - cw / 2) * WIDTH / cw], [0, HEIGHT / ch, -(cy - ch / 2) * HEIGHT / ch]])
        f = cv2.warpAffine(gray, m, (WIDTH, HEIGHT), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
        f = f * vignette * (1.0 + rng.normal(0, 0.02)) + rng.normal(0, 4, f.shape)
        frames.append(np.clip(f, 0, 255).astype(np.uint8))
    return frames


def soundtrack(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A short tune with projector hiss, float32 mono."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    notes = [261.6, 329.6, 392.0, 523.3, 392.0, 329.6]
    note = (t / (seconds / len(notes))).astype(int).clip(0, len(notes) - 1)
    freq = np.array(notes)[note]
    env = np.exp(-3 * (t % (seconds / len(notes))))
    tune = 0.25 * env * np.sin(2 * np.pi * freq * t)
    hiss = 0.02 * rng.normal(size=t.shape) * (1 + 0.5 * np.sin(2 * np.pi * 24 * t))
    return (tune + hiss).astype(np.float32)


SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "archive-reel.mp4"


def main(out: Path = SAMPLE) -> None:
    rng = np.random.default_rng(1878)
    n = int(SHOT_SECONDS * FPS)
    out.parent.mkdir(exist_ok=True)
    with av.open(str(out), "w") as container:
        container.metadata["title"] = "vidcolor sample reel (scikit-image photos, public domain / CC0)"
        vs = container.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.options = {"crf": "26", "preset": "slow"}
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        index = 0
        for name in SHOTS:
            for gray in shot_frames(name, n, rng):
                frame = av.VideoFrame.from_ndarray(gray, format="gray").reformat(format="yuv420p")
                frame.pts, frame.time_base = index, Fraction(1, FPS)
                container.mux(vs.encode(frame))
                index += 1
        container.mux(vs.encode(None))
        pcm = soundtrack(index / FPS, rng)
        for start in range(0, len(pcm), 1024):
            af = av.AudioFrame.from_ndarray(pcm[None, start: start + 1024], format="flt", layout="mono")
            af.sample_rate, af.pts, af.time_base = SAMPLE_RATE, start, Fraction(1, SAMPLE_RATE)
            container.mux(audio.encode(af))
        container.mux(audio.encode(None))
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {index} frames)")


if __name__ == "__main__":
    main()
