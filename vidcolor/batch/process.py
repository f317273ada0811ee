"""One job, start to finish: any failure becomes a ``FileResult``, never an exception.

Shared by the in-process batch and the worker processes, so both report alike.
"""

from __future__ import annotations

import logging
import time

from ..errors import VidcolorError
from ..media.probe import probe
from ..models.colorizer import Colorizer
from ..pipeline.image import colorize_image_file
from ..pipeline.planning import plan_output
from ..pipeline.settings import Execution, Recipe
from ..pipeline.video import colorize_video
from .jobs import Job
from .report import FileResult

log = logging.getLogger(__name__)


def process(job: Job, recipe: Recipe, execution: Execution, model: Colorizer, overwrite: bool,
            progress: bool, output_format: str = "h264") -> FileResult:
    """Colorize one file; any failure becomes a FileResult, never an exception."""
    started = time.time()
    result = FileResult(str(job.input), None, "failed", settings=recipe.as_dict())
    try:
        info = probe(job.input)
        result.kind = info.kind
        out = plan_output(job.input, info.kind, job.output_file, job.output_dir, job.relative, output_format)
        if info.kind == "image":
            skipped = colorize_image_file(job.input, out, model, recipe.inference, overwrite,
                                          recipe.reference)
            result.output = str(out)
            result.status = "skipped" if skipped else "done"
            result.frames = None if skipped else 1
        else:
            result.settings = recipe.for_film(model.info.film_decoding).as_dict()  # what the film is made with
            r = colorize_video(job.input, out, recipe=recipe, execution=execution, model=model,
                               output_format=output_format, overwrite=overwrite, progress=progress)
            result.output = str(r.output)
            result.status = "skipped" if r.skipped else "done"
            result.frames = r.frames if not r.skipped else None
            result.segments_reused, result.damaged_packets = r.segments_reused, r.damaged_packets
            result.warnings = list(r.notes)
    except VidcolorError as exc:
        result.error = str(exc).removeprefix(f"{job.input}: ")
    except (MemoryError, OSError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # one bad file must not stop the archive
        log.debug("unexpected failure on %s", job.input, exc_info=True)
        result.error = f"internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    result.seconds = round(time.time() - started, 3)
    return result
