"""``genaiops add CAPABILITY [PATH]``: bring one capability into an existing repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from generator.commands.options import DataOption, FormatOption, OnlineOption, TemplateUrlOption
from generator.errors import FAILURE_EXIT


def register(app: typer.Typer) -> None:
    @app.command("add")
    def add(
        capability: Annotated[
            str,
            typer.Argument(
                metavar="CAPABILITY",
                help="A capability: workflows, pipelines, iac, eval, pre-commit, ...",
            ),
        ],
        path: Annotated[
            Path, typer.Argument(metavar="PATH", help="Repository (default: .).")
        ] = Path(),
        data: DataOption = None,
        defaults: Annotated[
            bool, typer.Option("--defaults", help="Take the default for every question.")
        ] = False,
        conflict: Annotated[
            str,
            typer.Option(
                "--conflict",
                help="An existing file that differs: inline markers, or a .rej patch beside it.",
            ),
        ] = "inline",
        pretend: Annotated[
            bool, typer.Option("--pretend", help="Show what would be added; write nothing.")
        ] = False,
        version: Annotated[
            str | None, typer.Option("--vcs-ref", help="Template version (default: current).")
        ] = None,
        template_url: TemplateUrlOption = None,
        online: OnlineOption = False,
        fmt: FormatOption = "text",
    ) -> None:
        """Add one capability (CI/CD workflows, IaC, evaluation, pre-commit) to a repository."""
        from generator import console
        from generator.answers import parse_data_options
        from generator.commands.options import check_conflict, check_format
        from generator.template_source import SourceOptions
        from generator.update.capabilities import AddOptions, add_capability

        check_format(fmt)
        options = AddOptions(
            data=dict(parse_data_options(data or [])),
            defaults=defaults,
            conflict=check_conflict(conflict),
            pretend=pretend,
            version=version,
            source=SourceOptions(fetch_from=template_url, online=online),
        )
        with console.progress(f"Adding {capability}"):
            result = add_capability(capability, path, options)
        if fmt == "json":
            typer.echo(json.dumps(result.to_dict(), indent=2, sort_keys=True))
        else:
            for line in result.lines():
                console.out().print(line, markup=False)
            if not result.conflicted and not pretend:
                console.out().print("  review with `git status`, then commit", markup=False)
        if result.conflicted:
            raise typer.Exit(FAILURE_EXIT)
