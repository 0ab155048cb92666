"""``genaiops update [PATH ...]``: merge a newer template version into generated repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from generator.errors import FAILURE_EXIT, USAGE_EXIT, GenaiopsError

if TYPE_CHECKING:
    from generator.update.engine import UpdateOptions
    from generator.update.summary import UpdateResult


def read_paths(paths: list[Path], from_file: Path | None) -> list[Path]:
    """Paths from the command line plus one per line of ``--from-file`` (# comments allowed)."""
    chosen = list(paths)
    if from_file is not None:
        try:
            lines = from_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise GenaiopsError(f"--from-file {from_file}: cannot read it ({exc})") from None
        base = from_file.parent
        for line in lines:
            entry = line.split("#", 1)[0].strip()
            if entry:
                path = Path(entry).expanduser()
                chosen.append(path if path.is_absolute() else base / path)
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
            Path | None,
            typer.Option("--from-file", help="File listing repositories, one per line."),
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
        data: Annotated[
            list[str] | None,
            typer.Option("--data", "-d", help="Answer a question: KEY=VALUE (repeatable)."),
        ] = None,
        defaults: Annotated[
            bool, typer.Option("--defaults", help="Take the default for new questions.")
        ] = False,
        template_url: Annotated[
            str | None,
            typer.Option(
                "--template-url",
                help="Fetch the template from this URL or path instead (mirror, clone).",
            ),
        ] = None,
        online: Annotated[
            bool,
            typer.Option(
                "--online",
                help="Fetch genaiops' template from its git URL, not "
                "from the versions this package ships.",
            ),
        ] = False,
        trust: Annotated[
            bool,
            typer.Option("--trust", help="Let a third-party template run its tasks."),
        ] = False,
        fmt: Annotated[str, typer.Option("--format", help="Output: text or json.")] = "text",
    ) -> None:
        """Merge a newer template version into repositories, keeping every team edit."""
        from generator.answers import parse_data_options
        from generator.template_source import SourceOptions
        from generator.update.engine import UpdateOptions

        if fmt not in ("text", "json"):
            raise GenaiopsError(f"--format must be text or json, got {fmt!r}")
        if conflict not in ("inline", "rej"):
            raise GenaiopsError(f"--conflict must be inline or rej, got {conflict!r}")
        options = UpdateOptions(
            to=to,
            pretend=pretend,
            conflict=conflict,
            data=dict(parse_data_options(data or [])),
            defaults=defaults,
            source=SourceOptions(fetch_from=template_url, online=online, trust=trust),
        )
        code = run_fleet(read_paths(list(paths or []), from_file), options, fmt)
        if code:
            raise typer.Exit(code if code in (FAILURE_EXIT, USAGE_EXIT) else FAILURE_EXIT)
