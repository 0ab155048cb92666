"""Small helpers shared by the probe modules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess.findings import FAIL, INFO, NOT_APPLICABLE, PASS, Finding

if TYPE_CHECKING:
    from generator.assess.collect import Hit, Repo
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


_STRING = re.compile(
    r"[rbfu]{0,2}(\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')", re.I
)


def code_only(text: str, strings: bool = False) -> list[str]:
    """The lines of a source file with comments, docstrings and string literals blanked out
    (same line numbers): what the code does, not what its text says. An attack-prompt file
    that says "jailbreak" in a string or a comment holds no guardrail. ``strings`` keeps
    one-line string literals (an output path is a string) and drops only comments and
    triple-quoted blocks."""
    out: list[str] = []
    quote: str | None = None  # inside a triple-quoted string opened with this delimiter
    for raw in text.splitlines():
        line = raw
        kept = ""
        while line:
            if quote is not None:
                end = line.find(quote)
                if end < 0:
                    line = ""
                    break
                line, quote = line[end + 3 :], None
                continue
            starts = [(line.find(q), q) for q in ('"""', "'''") if q in line]
            first = min(starts) if starts else None
            head = line if first is None else line[: first[0]]
            spans = [m.span() for m in _STRING.finditer(head)]
            hash_at = next(  # the first `#` outside a string literal starts a comment
                (
                    i
                    for i, ch in enumerate(head)
                    if ch == "#" and not any(a <= i < b for a, b in spans)
                ),
                -1,
            )
            if hash_at >= 0:
                head = head[:hash_at]
            if not strings:
                head = _STRING.sub('""', head)
            kept += head
            if hash_at >= 0:  # a comment (`//` lines are dropped below)
                line = ""
                break
            if first is None:
                line = ""
            else:
                line, quote = line[first[0] + 3 :], first[1]
        out.append("" if _COMMENT.match(kept) else kept)
    return out


def code_hit(
    rx: re.Pattern[str], repo: Repo, paths: list[str], strings: bool = False
) -> Hit | None:
    """The first match of ``rx`` in code itself (not comments or strings) of ``paths``."""
    from generator.assess.collect import Hit, snippet_at

    seen: set[str] = set()
    for hit in repo.hits(rx, paths):  # the literal prefilter: only files that mention it
        if hit.path in seen:
            continue
        seen.add(hit.path)
        text = repo.text(hit.path) or ""
        offsets = [0]
        for line in text.splitlines(keepends=True):
            offsets.append(offsets[-1] + len(line))
        for n, code in enumerate(code_only(text, strings), 1):
            if rx.search(code):
                return Hit(hit.path, n, snippet_at(text, offsets[n - 1]))
    return None


def meaningful_lines(text: str | None) -> int:
    if not text:
        return 0
    return sum(1 for ln in text.splitlines() if ln.strip() and not _COMMENT.match(ln))
