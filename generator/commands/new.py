"""``genaiops new DEST``: render the workload template into a new repository."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from generator import console
from generator.commands.options import DataOption, FormatOption, check_format

if TYPE_CHECKING:
    from generator.create import NewResult


def report(result: NewResult, fmt: str) -> None:
    public = {k: v for k, v in result.answers.items() if not k.startswith("_")}
    if fmt == "json":
        payload = {
            "dest": str(result.dest),
            "pretend": result.pretend,
            "files": result.files,
            "answers": public,
            "commit": result.commit,
            "git_work_tree": str(result.enclosing) if result.enclosing else None,
            "kept": result.kept,
        }
        typer.echo(json.dumps(payload, indent=2, sort_keys=True))
        return
    out = console.out()
    if result.pretend:
        out.print(f"Would create {result.dest} with {len(result.files)} files (nothing written):")
        for name in result.files:
            out.print(f"  {name}")
        return
    summary = ", ".join(
        f"{k}={public[k]}" for k in ("use_case", "iac", "iac_profile") if k in public
    )
    out.print(
        f"[bold green]Created[/] {public.get('project_name', result.dest.name)} "
        f"in {result.dest} ({len(result.files)} files; {summary})"
    )
    if result.commit:
        out.print(f"  git: initial commit {result.commit[:10]} on branch main")
        if result.kept:
            shown = ", ".join(result.kept[:5]) + (" …" if len(result.kept) > 5 else "")
            out.print(f"  your own files are not in that commit: {shown}")
    elif result.enclosing:
        out.print(f"  git: added inside the repository at {result.enclosing}; review and commit")
    rel = os.path.relpath(result.dest)
    where = rel if not rel.startswith("..") else str(result.dest)
    out.print("Next:")
    out.print(f"  cd {where}")
    out.print("  make run    # ingest the sample data and serve the app offline")
    out.print("  make test   # run the project's tests")


def register(app: typer.Typer) -> None:
    @app.command("new")
    def new(
        dest: Annotated[
            Path, typer.Argument(metavar="DEST", help="Directory to create the repository in.")
        ],
        defaults: Annotated[
            bool, typer.Option("--defaults", help="Take the default for every question.")
        ] = False,
        data: DataOption = None,
        data_file: Annotated[
            Path | None, typer.Option("--data-file", metavar="FILE", help="YAML file of answers.")
        ] = None,
        template: Annotated[
            str | None,
            typer.Option(
                "--template",
                metavar="SRC",
                help="Template source (path or git URL); default: the shipped one.",
            ),
        ] = None,
        vcs_ref: Annotated[
            str | None,
            typer.Option(
                "--vcs-ref", metavar="REF", help="Template version: tag, branch or commit."
            ),
        ] = None,
        pretend: Annotated[
            bool, typer.Option("--pretend", help="Show what would be written; write nothing.")
        ] = False,
        no_git: Annotated[
            bool, typer.Option("--no-git", help="Do not create a git repository.")
        ] = False,
        force: Annotated[
            bool,
            typer.Option(
                "--force",
                help="Allow a non-empty DEST when no existing file would be replaced.",
            ),
        ] = False,
        trust: Annotated[
            bool,
            typer.Option(
                "--trust", help="Let a third-party template run its tasks and extensions."
            ),
        ] = False,
        fmt: FormatOption = "text",
    ) -> None:
        """Create a GenAI workload repository from the template."""
        from generator.create import NewOptions, create

        check_format(fmt)
        options = NewOptions(
            dest=dest,
            defaults=defaults,
            data=list(data or []),
            data_file=data_file,
            template=template,
            vcs_ref=vcs_ref,
            pretend=pretend,
            git=not no_git,
            force=force,
            trust=trust,
        )
        report(create(options), fmt)
