"""vidcolor: colorize black-and-white film, keeping its luminance, timing and sound.

The Python API is three functions: ``load_model``, ``colorize_video`` and
``colorize_image``; the ``vidcolor`` command is a thin layer over them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import VidcolorError
from .image import colorize_image
from .pipeline import RunSettings, VideoResult, colorize_video
from .zoo import load_model

__all__ = ["RunSettings", "VideoResult", "VidcolorError", "__version__", "colorize_image", "colorize_video",
           "load_model"]
