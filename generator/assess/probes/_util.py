"""Small helpers shared by the probe modules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess.findings import FAIL, INFO, NOT_APPLICABLE, PASS, Finding

if TYPE_CHECKING:
    from generator.assess.collect import Hit
    from generator.assess.workflows import StepRun

_COMMENT = re.compile(r"^\s*(#|//|;|--|\*|/\*)")


def ok(pid: str, msg: str, path: str | None = None, line: int | None = None) -> Finding:
    return Finding(pid, PASS, msg, path, line)


def fail(pid: str, msg: str, path: str | None = None, line: int | None = None) -> Finding:
    return Finding(pid, FAIL, msg, path, line)


def info(pid: str, msg: str, path: str | None = None, line: int | None = None) -> Finding:
    return Finding(pid, INFO, msg, path, line)


def na(pid: str, msg: str) -> Finding:
    return Finding(pid, NOT_APPLICABLE, msg)


def hit_ok(pid: str, what: str, hit: Hit) -> Finding:
    return Finding(pid, PASS, f"{what}: `{hit.snippet[:90]}`", hit.path, hit.line, hit.snippet)


def run_ok(pid: str, what: str, run: StepRun) -> Finding:
    return Finding(
        pid,
        PASS,
        f"{what}: job `{run.job.id}` runs `{run.leaf.text[:80]}`"
        + (f" via {run.leaf.chain()}" if len(run.leaf.hops) > 2 else ""),
        run.path,
        run.line,
        run.command,
    )


def run_not_gate(pid: str, what: str, run: StepRun) -> Finding:
    return Finding(
        pid,
        FAIL,
        f"{what} in job `{run.job.id}` cannot fail the build: {run.why_not}",
        run.path,
        run.line,
        run.command,
    )


def gate_findings(pid: str, what: str, runs: list[StepRun], missing: str) -> list[Finding]:
    """Pass on the first run that can fail its workflow; else say why each run cannot; else
    report ``missing``."""
    gated = [r for r in runs if r.gate]
    if gated:
        return [run_ok(pid, what, gated[0])]
    if runs:
        return [run_not_gate(pid, f"{what} step", r) for r in runs[:3]]
    return [fail(pid, missing)]


def meaningful_lines(text: str | None) -> int:
    if not text:
        return 0
    return sum(1 for ln in text.splitlines() if ln.strip() and not _COMMENT.match(ln))
