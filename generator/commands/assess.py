"""``genaiops assess [PATH...]``: score GenAIOps maturity from a repository's contents.

Only typer and the standard library are imported here; the engine (``generator.assess``) is
imported when the command runs, so ``genaiops --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from generator.errors import FAILURE_EXIT, GenaiopsError

if TYPE_CHECKING:
    from generator.assess.evaluate import Report

ALIASES = {"optimised": 4, "none": 0}  # spellings the model does not name


def parse_level(value: str) -> int:
    """``3`` or ``managed`` → 3 (names from the model's levels); anything else is a usage error."""
    from generator.assess.model import load_model

    names = {name.lower(): level for level, name in load_model().level_names.items()}
    text = value.strip().lower()
    if text.isdigit() and int(text) in names.values():
        return int(text)
    if text in names or text in ALIASES:
        return names.get(text, ALIASES.get(text, 0))
    named = ", ".join(n for n, lv in sorted(names.items(), key=lambda kv: kv[1]) if lv > 0)
    raise GenaiopsError(f"--fail-under must be a level 0-4 or one of {named} (got '{value}')")


def check_paths(raw: list[str]) -> list[Path]:
    """Every path must be an existing directory; checked before any work starts."""
    from generator.inputs import check_directory

    paths: list[Path] = []
    for item in raw:
        path = Path(item).expanduser()
        check_directory(path, item)
        paths.append(path)
    return paths


def register(app: typer.Typer) -> None:
    @app.command("assess")
    def assess(
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                help="Repositories to assess (default: the current directory).", show_default=False
            ),
        ] = None,
        from_file: Annotated[
            str | None,
            typer.Option(
                "--from-file",
                help="Read more repository paths from this file, one per line ('-' for stdin).",
            ),
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="Output format: text, json, md or sarif.")
        ] = "text",
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
        ] = None,
        fail_under: Annotated[
            str | None,
            typer.Option(
                "--fail-under",
                help="Exit 1 when the overall level of any repository is below this level "
                "(0-4 or initial/defined/managed/optimized).",
            ),
        ] = None,
        jobs: Annotated[
            int,
            typer.Option(
                "--jobs", "-j", min=1, help="Repositories assessed in parallel (processes)."
            ),
        ] = os.cpu_count() or 1,
        ignore_annotations: Annotated[
            bool,
            typer.Option(
                "--ignore-annotations",
                help="Score the evidence alone, without .genaiops/assess.yml annotations.",
            ),
        ] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Show every probe, passing ones too.")
        ] = False,
        details: Annotated[
            bool,
            typer.Option(
                "--details",
                help="With several repositories, print each repository's report after the summary.",
            ),
        ] = False,
        no_progress: Annotated[
            bool, typer.Option("--no-progress", help="No progress output for fleets.")
        ] = False,
        explain: Annotated[
            str | None,
            typer.Option(
                "--explain",
                help="Print what a probe checks and how to fix it, then exit.",
                metavar="PROBE",
            ),
        ] = None,
    ) -> None:
        """Score GenAIOps maturity per dimension (levels 0-4) with evidence and next steps."""
        from generator.assess.report import FORMATS
        from generator.commands.options import check_format
        from generator.inputs import read_path_list

        if explain:
            _explain(explain)
            return
        check_format(fmt, tuple(FORMATS))
        threshold = parse_level(fail_under) if fail_under is not None else None
        raw = list(paths or [])
        if from_file:
            raw += [str(p) for p in read_path_list(from_file)]
        checked = check_paths(raw or ["."])
        reports = _run(checked, jobs, ignore_annotations, progress=not no_progress)
        _emit(reports, fmt, output, verbose, details)
        if threshold is not None:
            below = [r for r in reports if r.overall.level < threshold]
            if below:
                from generator import console

                for r in below:
                    console.err().print(
                        f"{r.path}: level {r.overall.level} is below --fail-under {threshold}",
                        markup=False,
                        highlight=False,
                    )
                raise typer.Exit(FAILURE_EXIT)


def _explain(probe_id: str) -> None:
    from generator.assess.model import load_model

    model = load_model()
    d = model.by_id.get(probe_id)
    if d is None:
        raise GenaiopsError(
            f"unknown probe '{probe_id}' (probes: {', '.join(sorted(model.by_id))})"
        )
    typer.echo(
        f"{d.id} — {model.dimension(d.dimension).name}, level {d.level} "
        f"({model.level_names[d.level]})"
        f"{'' if d.required else ', optional'}\n\n{d.question}\n\nWhy: {d.motivation}\n\n"
        f"How it is detected: {d.detection}\n\n"
        f"Remediation ({d.effort} effort): {d.remediation_text}"
    )


def _run(paths: list[Path], jobs: int, ignore_annotations: bool, progress: bool) -> list[Report]:
    from generator.assess.run import Options, assess_many

    options = Options(ignore_annotations=ignore_annotations)
    if len(paths) == 1 or not progress:
        return assess_many(paths, options, jobs)
    if sys.stderr.isatty():
        from rich.progress import Progress

        from generator import console

        with Progress(console=console.err(), transient=True) as bar:
            task = bar.add_task("Assessing repositories", total=len(paths))
            return assess_many(
                paths, options, jobs, lambda done, total, rep: bar.update(task, completed=done)
            )

    def line(done: int, total: int, rep: Report) -> None:
        sys.stderr.write(f"[{done}/{total}] {rep.path}: level {rep.overall.level}\n")
        sys.stderr.flush()

    return assess_many(paths, options, jobs, line)


def _emit(
    reports: list[Report], fmt: str, output: Path | None, verbose: bool, details: bool
) -> None:
    from generator.assess.report import FORMATS, RenderOptions

    tty = output is None and sys.stdout.isatty()
    options = RenderOptions(
        verbose=verbose,
        details=details,
        color=tty and "NO_COLOR" not in os.environ,
        width=os.get_terminal_size().columns if tty else 140,
    )
    text = FORMATS[fmt](reports, options)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GenaiopsError(f"cannot write {output}: {exc.strerror or exc}") from None
