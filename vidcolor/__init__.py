"""vidcolor: colorize black-and-white film, keeping its luminance, timing and sound.

The Python API is three functions: ``load_model`` (a ready ``Colorizer``),
``colorize_video`` and ``colorize_image``; the ``vidcolor`` command is a thin
layer over them.
"""

from __future__ import annotations

__version__ = "0.2.0"

from .errors import VidcolorError
from .models.colorizer import Colorizer, load_model
from .pipeline.image import colorize_image
from .pipeline.settings import Execution, InferenceConfig, Recipe
from .pipeline.video import VideoResult, colorize_video

__all__ = [
           "Colorizer",
           "Execution",
           "InferenceConfig",
           "Recipe",
           "VidcolorError",
           "VideoResult",
           "__version__",
           "colorize_image",
           "colorize_video",
           "load_model",
]
