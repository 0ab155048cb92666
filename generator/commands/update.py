"""``genaiops update``: placeholder until its issue lands."""

from __future__ import annotations

from typing import Annotated

import typer

from generator.errors import GenaiopsError


def register(app: typer.Typer) -> None:
    @app.command(
        "update", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )
    def update(
        args: Annotated[list[str] | None, typer.Argument(hidden=True)] = None,
    ) -> None:
        """Not implemented yet."""
        raise GenaiopsError("genaiops update is not implemented yet")
