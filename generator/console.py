"""Terminal output: quiet by default, a spinner for slow steps, errors on one line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

_stdout: Console | None = None
_stderr: Console | None = None


def out() -> Console:
    global _stdout
    if _stdout is None:
        from rich.console import Console

        _stdout = Console(highlight=False, soft_wrap=True)
    return _stdout


def err() -> Console:
    global _stderr
    if _stderr is None:
        from rich.console import Console

        _stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    return _stderr


def error(message: str) -> None:
    """One line, on stderr, nothing else."""
    err().print(f"[bold red]error:[/] {message}", markup=True, highlight=False)


def warn(message: str) -> None:
    err().print(f"[yellow]warning:[/] {message}")


@contextmanager
def progress(message: str, enabled: bool = True) -> Iterator[None]:
    """A spinner while something slow runs, only when a person is watching."""
    if not enabled or not sys.stderr.isatty():
        yield
        return
    with err().status(message, spinner="dots"):
        yield
