"""``genaiops add CAPABILITY [PATH]``: bring one capability into an existing repository.

The plan comes first (what is added, reused, skipped and why); ``--pretend`` stops after it.
A capability that does not fit is refused with the plan and its reason (exit 2, nothing
written).
"""

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
        """Add one capability (CI checks, IaC, the eval gate, pre-commit) to a repository,
        adapted to it: its own commands, Makefile, CI and app."""
        from generator import console
        from generator.answers import parse_data_options
        from generator.commands.options import check_conflict, check_format
        from generator.template_source import SourceOptions
        from generator.update.capabilities import AddOptions, AddRefused, add_capability

        check_format(fmt)
        options = AddOptions(
            data=dict(parse_data_options(data or [])),
            defaults=defaults,
            conflict=check_conflict(conflict),
            pretend=pretend,
            version=version,
            source=SourceOptions(fetch_from=template_url, online=online),
        )
        try:
            # no spinner while Copier asks the questions (it would draw over them)
            with console.progress(f"Adding {capability}", enabled=defaults):
                result, plan = add_capability(capability, path, options)
        except AddRefused as refused:
            if fmt == "json":
                typer.echo(
                    json.dumps(
                        {"status": "refused", "plan": refused.plan.to_dict()},
                        indent=2,
                        sort_keys=True,
                    )
                )
            else:
                for line in refused.plan.lines():
                    console.out().print(line, markup=False)
            raise
        if fmt == "json":
            payload = {**result.to_dict(), "plan": plan.to_dict()}
            typer.echo(json.dumps(payload, indent=2, sort_keys=True))
        else:
            for line in [*plan.lines(), *result.lines()]:
                console.out().print(line, markup=False)
            if not result.conflicted and not pretend:
                console.out().print("  review with `git status`, then commit", markup=False)
        if result.conflicted:
            raise typer.Exit(FAILURE_EXIT)
