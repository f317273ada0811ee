"""The command group: one line and exit status 1 for expected failures, 130 when interrupted."""

from __future__ import annotations

import logging
import sys

import click

from .. import __version__
from ..errors import VidcolorError
from ..runtime.malloc import keep_freed_memory
from ..runtime.threads import set_cpu_threads


class Group(click.Group):
    """Turns expected failures into one line and exit status 1 (traceback with --debug)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except VidcolorError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"vidcolor: error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("vidcolor: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # one line for users, traceback with --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            msg = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(f"vidcolor: error: {type(exc).__name__}: {msg} (run with --debug for details)", err=True)
            sys.exit(1)


@click.group(cls=Group)
@click.version_option(__version__, prog_name="vidcolor")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.option("--threads", type=int, help="CPU threads for the model and OpenCV [default: all cores].")
@click.pass_context
def main(ctx: click.Context, debug: bool, threads: int | None) -> None:
    """Colorize black-and-white video and photos."""
    ctx.obj = {"debug": debug}
    keep_freed_memory()  # the CLI is the application: process-wide malloc settings are its call
    set_cpu_threads(threads)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="vidcolor: %(levelname)s: %(message)s")
