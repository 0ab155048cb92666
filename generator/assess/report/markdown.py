"""Markdown for a pull-request comment or a job summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.assess.findings import PASS

if TYPE_CHECKING:
    from generator.assess.evaluate import Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _one(report: Report, heading: str = "##") -> list[str]:
    o = report.overall
    names = report.level_names
    out = [
        f"{heading} GenAIOps maturity: level {o.level} ({names[o.level]}), score {o.score:.1f}/10",
        "",
    ]
    meta = f"`{report.path}`" + (f" at `{report.commit[:10]}`" if report.commit else "")
    out.append(
        f"{meta} · {report.files} files · levels follow Microsoft's GenAIOps maturity model "
        "definitions."
    )
    if report.annotations:
        out.append(
            f"> **{len(report.annotations)} annotation(s) applied.** Without them the evidence "
            "shows "
            f"level {o.evidenced_level} ({names[o.evidenced_level]}), score "
            f"{o.evidenced_score:.1f}."
        )
    out += [
        "",
        "| Dimension | Level | Score | Reason | Next level needs |",
        "|---|---|---:|---|---|",
    ]
    for d in report.dimensions:
        if not d.applicable:
            out.append(f"| {d.dimension.name} | n/a | - | {_cell(d.reason)} | |")
            continue
        lvl = f"{d.level} {names[d.level]}" + (
            f" (evidenced {d.evidenced_level})" if d.evidenced_level != d.level else ""
        )
        needs = "<br>".join(f"`{r.definition.id}`" for r in d.next_needs[:5]) or "—"
        reason = _cell(d.reason) + (
            f"<br>_scaffold defaults: {', '.join(d.scaffold_defaults[:3])}_"
            if d.scaffold_defaults
            else ""
        )
        out.append(f"| {d.dimension.name} | {lvl} | {d.score:.1f} | {reason} | {needs} |")
    blocking = [(d, r) for d in report.dimensions if d.applicable for r in d.next_needs]
    if blocking:
        out += ["", "<details><summary>What the next level needs</summary>", ""]
        for d, r in blocking:
            msg = next((f.message for f in r.findings if f.outcome != PASS), r.definition.question)
            loc = next(
                (
                    f"{f.path}:{f.line}" if f.line else f.path
                    for f in r.findings
                    if f.path and f.outcome != PASS
                ),
                None,
            )
            out.append(
                f"- **{r.definition.id}** ({d.dimension.id}, level {r.definition.level}, effort "
                f"{r.definition.effort}): {_cell(msg)}" + (f" — `{loc}`" if loc else "")
            )
            out.append(f"  - Remediation: {_cell(r.definition.remediation_text)}")
        out += ["", "</details>"]
    if report.annotations:
        out += ["", "**Annotations**", ""]
        out += [
            f"- `{a.probe or a.dimension}` {a.status}: {_cell(a.reason)}"
            for a in report.annotations
        ]
    if report.scaffold_defaults:
        out += [
            "",
            "**Scaffold defaults** (unchanged since `genaiops new`; tune them to your workload)",
            "",
        ]
        out += [f"- `{p}` ({w})" for p, w in report.scaffold_defaults]
    if report.notes:
        out += ["", "<details><summary>Notes (files skipped or invalid)</summary>", ""]
        out += [
            f"- {n.kind}: `{n.path}`{':' + str(n.line) if n.line else ''} {_cell(n.message)}"
            for n in report.notes[:50]
        ]
        out += ["", "</details>"]
    return out


def render(reports: list[Report]) -> str:
    if len(reports) == 1:
        return "\n".join(_one(reports[0])) + "\n"
    dims = reports[0].dimensions
    out = [
        f"## GenAIOps maturity: {len(reports)} repositories",
        "",
        "| Repository | Level | Score | " + " | ".join(d.dimension.id for d in dims) + " |",
        "|---|---|---:|" + "---|" * len(dims),
    ]
    for r in reports:
        cells = " | ".join(str(d.level) if d.applicable else "n/a" for d in r.dimensions)
        out.append(
            f"| `{r.path}` | {r.overall.level} {r.level_names[r.overall.level]} | "
            f"{r.overall.score:.1f} | {cells} |"
        )
    for r in reports:
        out += ["", *_one(r, "###")]
    return "\n".join(out) + "\n"
