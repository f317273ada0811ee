"""The ``vidcolor`` command: a thin layer over the Python API (one module per command)."""

from .evaluate import eval_cmd
from .main import main
from .models import models
from .preview import preview_cmd
from .run import run
from .shots import shots
from .train import train

for _command in (run, preview_cmd, shots, eval_cmd, train, models):
    main.add_command(_command)

__all__ = ["main"]
