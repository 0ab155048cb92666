"""The ``genaiops`` command line: parse arguments and dispatch to one module per verb.

Heavy libraries (Copier, Semantic Kernel) are imported inside the verbs, never here, so
``genaiops --help`` starts fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from generator import __version__
from generator.commands import add, assess, new, update
from generator.errors import INTERRUPTED_EXIT, GenaiopsError

app = typer.Typer(
    name="genaiops",
    help="Scaffold GenAI workload repositories with GenAIOps built in, assess any repository's "
    "GenAIOps maturity, and keep generated repositories up to date.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for verb in (new, assess, update, add):
    verb.register(app)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"genaiops {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """genaiops: GenAIOps for every GenAI workload repository."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: expected failures print one line and exit with their code.

    Usage errors (unknown option, missing argument) are typer's own and exit 2.
    """
    from generator import console

    try:
        app(args=argv, prog_name="genaiops")
    except GenaiopsError as exc:
        console.error(exc.message)
        sys.exit(exc.exit_code)
    except SystemExit as exc:
        # typer turns a Ctrl-C outside the commands' own handling (while it parses, or after a
        # command finished) into a silent exit 130; say what happened
        if exc.code == INTERRUPTED_EXIT:
            console.error("cancelled by SIGINT")
        raise
    finally:
        if argv is None:  # the process itself: once the command is over, only exiting is left,
            # and a Ctrl-C there must not turn a finished command into a traceback and -2
            import signal

            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
