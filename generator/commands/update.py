"""``genaiops update [PATH ...]``: merge a newer template version into generated repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from generator.commands.options import DataOption, FormatOption, OnlineOption, TemplateUrlOption
from generator.errors import FAILURE_EXIT, USAGE_EXIT, GenaiopsError

if TYPE_CHECKING:
    from generator.update.engine import UpdateOptions
    from generator.update.summary import UpdateResult


def read_paths(paths: list[Path], from_file: str | None) -> list[Path]:
    """Paths from the command line plus those ``--from-file`` lists (default: ``.``)."""
    from generator.inputs import read_path_list

    chosen = list(paths) + (read_path_list(from_file) if from_file is not None else [])
    return chosen or [Path()]


def run_fleet(paths: list[Path], options: UpdateOptions, fmt: str) -> int:
    """Update each repository in turn; one failing repository does not stop the others."""
    from generator import console
    from generator.update.engine import update_repository
    from generator.update.summary import UpdateResult

    results: list[UpdateResult] = []
    exit_code = 0
    fleet = len(paths) > 1
    for index, path in enumerate(paths, start=1):
        if fleet and fmt == "text":
            console.err().print(f"[{index}/{len(paths)}] {path}")
        try:
            with console.progress(f"Updating {path}"):
                repo_results = update_repository(path, options)
        except GenaiopsError as exc:
            if not fleet:
                raise
            failed = UpdateResult(path, "", "", "", "error", message=f"error: {exc.message}")
            repo_results = [failed]
            exit_code = max(exit_code, exc.exit_code)
        results.extend(repo_results)
        if any(r.conflicted for r in repo_results):
            exit_code = max(exit_code, FAILURE_EXIT)
        if fmt == "text":
            for result in repo_results:
                _print_text(result)
    if fmt == "json":
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2, sort_keys=True))
    return exit_code


def _print_text(result: UpdateResult) -> None:
    from generator import console

    out = console.out()
    for line in result.lines():
        out.print(line, markup=False)


def register(app: typer.Typer) -> None:
    @app.command("update")
    def update(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(metavar="PATH", help="Repositories to update (default: .)."),
        ] = None,
        from_file: Annotated[
            str | None,
            typer.Option(
                "--from-file",
                metavar="FILE",
                help="File listing repositories, one per line ('-' for stdin).",
            ),
        ] = None,
        to: Annotated[
            str | None,
            typer.Option("--to", help="Template version to go to (default: this genaiops')."),
        ] = None,
        pretend: Annotated[
            bool, typer.Option("--pretend", help="Show what would change; change nothing.")
        ] = False,
        conflict: Annotated[
            str,
            typer.Option("--conflict", help="inline: conflict markers; rej: *.rej files."),
        ] = "inline",
        data: DataOption = None,
        defaults: Annotated[
            bool, typer.Option("--defaults", help="Take the default for new questions.")
        ] = False,
        template_url: TemplateUrlOption = None,
        online: OnlineOption = False,
        trust: Annotated[
            bool,
            typer.Option("--trust", help="Let a third-party template run its tasks."),
        ] = False,
        fmt: FormatOption = "text",
    ) -> None:
        """Merge a newer template version into repositories, keeping every team edit."""
        from generator.answers import parse_data_options
        from generator.commands.options import check_conflict, check_format
        from generator.template_source import SourceOptions
        from generator.update.engine import UpdateOptions

        check_format(fmt)
        options = UpdateOptions(
            to=to,
            pretend=pretend,
            conflict=check_conflict(conflict),
            data=dict(parse_data_options(data or [])),
            defaults=defaults,
            source=SourceOptions(fetch_from=template_url, online=online, trust=trust),
        )
        code = run_fleet(read_paths(list(paths or []), from_file), options, fmt)
        if code:
            raise typer.Exit(code if code in (FAILURE_EXIT, USAGE_EXIT) else FAILURE_EXIT)
