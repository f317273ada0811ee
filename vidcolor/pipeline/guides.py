"""Pictures that direct a film's color, named by the frame they belong to: found and checked up front.

Keyframes (``120.png`` colors frame 120) and per-shot reference photos (``120.jpg`` guides the shot
holding frame 120) share these rules, and every file is checked before any work starts, with one
line naming the file and the problem.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import VidcolorError
from ..media.images import IMAGE_SUFFIXES, read_image
from ..media.probe import MediaInfo
from .settings import GuideImage

WHOLE_FILM = -1  # the index of a reference photo that guides every shot


def guide_image(path: Path, index: int) -> GuideImage:
    """One guiding picture, read now (one line if unreadable), known by its content."""
    read_image(path)
    return GuideImage(index, hashlib.sha256(path.read_bytes()).hexdigest(), path)


def load_indexed(folder: Path, info: MediaInfo, what: str, same_aspect: bool) -> tuple[GuideImage, ...]:
    """The pictures in a folder, each named by a frame index of the film, in index order."""
    if not folder.is_dir():
        raise VidcolorError(f"{what} must be a folder of images named by frame index", folder)
    found: dict[int, GuideImage] = {}
    aspect = info.width * float(info.sar or 1) / info.height
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise VidcolorError(f"not an image ({what} are .png, .jpg, ... named by frame index)", path)
        if not path.stem.isdigit():
            raise VidcolorError("the file name must be the index of the frame it colors (e.g. 120.png)", path)
        index = int(path.stem)
        if info.frames and index >= info.frames:
            raise VidcolorError(f"frame {index} is past the end (the film has {info.frames} frames, 0 to "
                                f"{info.frames - 1})", path)
        if index in found:
            raise VidcolorError(f"frame {index} has two {what} ({found[index].path.name} and {path.name})", path)
        rgb = read_image(path)  # unreadable: one line from read_image
        h, w = rgb.shape[:2]
        if same_aspect and abs(w / h - aspect) > 0.03 * aspect:
            raise VidcolorError(f"keyframe is {w}x{h} (aspect {w / h:.3f}), the film's frames are "
                                f"{info.width}x{info.height} (aspect {aspect:.3f})", path)
        found[index] = GuideImage(index, hashlib.sha256(path.read_bytes()).hexdigest(), path)
    if not found:
        raise VidcolorError(f"no {what} in the folder", folder)
    return tuple(found[i] for i in sorted(found))


def load_keyframes(folder: Path, info: MediaInfo) -> tuple[GuideImage, ...]:
    """Colored frames of the film (any size of its aspect ratio)."""
    return load_indexed(folder, info, "keyframes", same_aspect=True)


def load_references(path: Path, info: MediaInfo | None) -> tuple[GuideImage, ...]:
    """A reference photo for the whole film (or a still), or a folder of them, one per shot (films only)."""
    if path.is_dir():
        if info is None or info.kind != "video":
            raise VidcolorError("a folder of references (one per shot, named by frame index) is for films; "
                                "give a photo", path)
        return load_indexed(path, info, "references", same_aspect=False)
    return (guide_image(path, WHOLE_FILM),)
