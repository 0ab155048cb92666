"""The report for people in a terminal: a table per dimension with the reason and what the next
level needs, then the failing evidence with file:line and remediation."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from generator.assess.findings import ERROR, FAIL, INFO, PASS

if TYPE_CHECKING:
    from rich.console import Console

    from generator.assess.evaluate import Report

_MARK = {
    PASS: "[green]✓[/]",
    FAIL: "[red]✗[/]",
    ERROR: "[red]![/]",
    INFO: "[blue]i[/]",
    "not-applicable": "[dim]-[/]",
}
_COLOR = {0: "red", 1: "red", 2: "yellow", 3: "green", 4: "bold green"}


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _level(report: Report, level: int, evidenced: int | None = None) -> str:
    txt = f"[{_COLOR[level]}]{level} {report.level_names[level]}[/]"
    if evidenced is not None and evidenced != level:
        txt += f" [dim](evidenced {evidenced})[/]"
    return txt


def _one(console: Console, report: Report, verbose: bool) -> None:
    from rich.table import Table

    o = report.overall
    head = f"[bold]genaiops assess[/] {_esc(report.path)}"
    if report.commit:
        head += f" [dim]@ {report.commit[:10]}[/]"
    console.print(head + f" [dim]({report.files} files, {report.seconds:.2f} s)[/]")
    line = f"Overall: {_level(report, o.level)} — score {o.score:.1f}/10"
    if report.annotations:
        line += (
            f"  [yellow]with {len(report.annotations)} annotation(s); evidenced without them: "
            f"level {o.evidenced_level}, score {o.evidenced_score:.1f}[/]"
        )
    console.print(line)
    if o.weakest and o.level < 4:
        console.print(
            f"[dim]Weakest: {', '.join(o.weakest)}. Levels follow Microsoft's GenAIOps maturity "
            "model definitions (Initial, Defined, Managed, Optimized).[/]"
        )
    table = Table(show_lines=True, expand=False)
    table.add_column("Dimension", style="bold", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Score", justify="right")
    table.add_column("Reason")
    table.add_column("Next level needs")
    for d in report.dimensions:
        if not d.applicable:
            table.add_row(d.dimension.name, "[dim]n/a[/]", "-", _esc(d.reason), "")
            continue
        needs = "\n".join(
            f"{r.definition.id} [dim]({r.definition.effort})[/]" for r in d.next_needs[:5]
        )
        reason = _esc(d.reason)
        if d.scaffold_defaults:
            reason += f"\n[yellow]scaffold defaults: {_esc(', '.join(d.scaffold_defaults[:3]))}[/]"
        table.add_row(
            d.dimension.name,
            _level(report, d.level, d.evidenced_level),
            f"{d.score:.1f}",
            reason,
            needs or "[green]—[/]",
        )
    console.print(table)
    for d in report.dimensions:
        shown = [r for r in d.probes if verbose or r in d.next_needs]
        if not shown or not d.applicable:
            continue
        console.print(f"[bold]{_esc(d.dimension.name)}[/]")
        for r in shown:
            console.print(
                f"  {_MARK.get(r.effective, '?')} {r.definition.id} [dim](level "
                f"{r.definition.level}"
                f"{'' if r.definition.required else ', optional'})[/]"
            )
            for f in r.findings[:4]:
                where = (
                    f" [dim]{_esc(f.path)}{':' + str(f.line) if f.line else ''}[/]"
                    if f.path
                    else ""
                )
                console.print(f"      {_MARK.get(f.outcome, '')} {_esc(f.message)}{where}")
            if r.effective not in (PASS, "not-applicable"):
                console.print(
                    f"      [cyan]→ {_esc(r.definition.remediation_text)}[/] [dim](effort "
                    f"{r.definition.effort})[/]"
                )
            if r.annotation:
                console.print(
                    f"      [yellow]annotated {r.annotation.status}: {_esc(r.annotation.reason)}[/]"
                )
    if report.annotations:
        console.print(
            "[bold]Annotations[/] (from " + _esc(report.config_path or ".genaiops/assess.yml") + ")"
        )
        for a in report.annotations:
            console.print(
                f"  [yellow]{a.status}[/] {a.probe or 'dimension ' + str(a.dimension)}: "
                f"{_esc(a.reason)}"
            )
    if report.scaffold_defaults:
        console.print(
            "[bold]Scaffold defaults[/] (unchanged since `genaiops new`: tune them to your "
            "workload)"
        )
        for path, what in report.scaffold_defaults:
            console.print(f"  [yellow]•[/] {_esc(path)} [dim]({what})[/]")
    if report.notes:
        console.print("[bold]Notes[/]")
        for n in report.notes[:20]:
            console.print(
                f"  [dim]{n.kind}[/] {_esc(n.path)}{':' + str(n.line) if n.line else ''}: "
                f"{_esc(n.message)}"
            )
        if len(report.notes) > 20:
            console.print(f"  [dim]… {len(report.notes) - 20} more[/]")


def fleet_table(console: Console, reports: list[Report]) -> None:
    from rich.table import Table

    table = Table(title=f"Fleet: {len(reports)} repositories")
    table.add_column("Repository", no_wrap=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Score", justify="right")
    for d in reports[0].dimensions if reports else []:
        table.add_column(d.dimension.id[:6], justify="center")
    table.add_column("Weakest")
    for r in reports:
        cells = [str(d.level) if d.applicable else "-" for d in r.dimensions]
        table.add_row(
            _esc(r.path),
            _level(r, r.overall.level, r.overall.evidenced_level),
            f"{r.overall.score:.1f}",
            *cells,
            ", ".join(r.overall.weakest),
        )
    console.print(table)


def render(
    reports: list[Report],
    *,
    verbose: bool = False,
    color: bool = False,
    width: int = 120,
    details: bool = False,
) -> str:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        soft_wrap=False,
    )
    if len(reports) == 1:
        _one(console, reports[0], verbose)
    else:
        fleet_table(console, reports)
        if details:
            for r in reports:
                console.print()
                _one(console, r, verbose)
    return buf.getvalue()
