"""``genaiops add``: placeholder until its issue lands."""

from __future__ import annotations

from typing import Annotated

import typer

from generator.errors import GenaiopsError


def register(app: typer.Typer) -> None:
    @app.command("add", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def add(
        args: Annotated[list[str] | None, typer.Argument(hidden=True)] = None,
    ) -> None:
        """Not implemented yet."""
        raise GenaiopsError("genaiops add is not implemented yet")
