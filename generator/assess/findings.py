"""What a probe returns: an outcome with a message and, where known, a file and line."""

from __future__ import annotations

from dataclasses import dataclass

PASS = "pass"  # noqa: S105 (an outcome, not a password)
FAIL = "fail"
NOT_APPLICABLE = "not-applicable"
ERROR = "error"
INFO = "info"
OUTCOMES = (PASS, FAIL, NOT_APPLICABLE, ERROR, INFO)


@dataclass(frozen=True)
class Finding:
    probe: str
    outcome: str
    message: str
    path: str | None = None
    line: int | None = None
    snippet: str | None = None


def probe_status(findings: list[Finding]) -> str:
    """A probe passes when it found passing evidence and nothing failing; info never decides."""
    outcomes = {f.outcome for f in findings}
    if FAIL in outcomes:
        return FAIL
    if ERROR in outcomes and PASS not in outcomes:
        return ERROR
    if PASS in outcomes:
        return PASS
    if NOT_APPLICABLE in outcomes:
        return NOT_APPLICABLE
    return FAIL
