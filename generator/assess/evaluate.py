"""Turn probe findings into levels (the rule and its reasons: ``maturity/README.md``).

Per dimension, a level is *held* when at least half of its applicable required probes pass, and
the dimension reaches the highest level L such that every level 1..L holds: a single missing
lower probe is a reported *gap*, not a zero. Overall, the weighted median of the applicable
dimensions, capped one level above the weakest (a strong dimension cannot hide a missing one),
and never below Initial when the repository holds GenAI application code; 0 only without any
GenAI practice.

Two levels are always computed: ``level`` applies maintainer annotations, ``evidenced_level``
ignores them. Reports show both whenever they differ, so an annotation never lifts a level
silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.assess.findings import FAIL, NOT_APPLICABLE, PASS, Finding, probe_status

if TYPE_CHECKING:
    from generator.assess.collect import Note
    from generator.assess.config import Annotation
    from generator.assess.model import Dimension, Model, ProbeDef


@dataclass
class ProbeResult:
    definition: ProbeDef
    status: str  # from the evidence alone
    findings: list[Finding]
    annotation: Annotation | None = None

    @property
    def effective(self) -> str:
        """Status once the annotation is applied."""
        if self.annotation is None or self.status in (PASS, NOT_APPLICABLE):
            return self.status
        return NOT_APPLICABLE if self.annotation.status == "not-applicable" else PASS


@dataclass
class DimensionResult:
    dimension: Dimension
    probes: list[ProbeResult]
    applicable: bool
    evidenced_applicable: bool
    na_reason: str | None
    level: int
    evidenced_level: int
    score: float
    evidenced_score: float
    reason: str
    next_level: int | None
    next_needs: list[ProbeResult]
    annotation: Annotation | None = None
    scaffold_defaults: list[str] = field(default_factory=list)
    gaps: list[ProbeResult] = field(default_factory=list)  # failing probes at or below level


@dataclass
class Overall:
    level: int
    evidenced_level: int
    score: float
    evidenced_score: float
    weakest: list[str]
    genai: str | None = None  # the evidence of GenAI practice, or None (then the level is 0)
    capped_by: str | None = None  # why the overall level is below the dimensions' median


@dataclass
class Report:
    path: str
    commit: str | None
    tool_version: str
    model_version: int
    level_names: dict[int, str]
    overall: Overall
    dimensions: list[DimensionResult]
    notes: list[Note]
    annotations: list[Annotation]
    scaffold_defaults: list[tuple[str, str]]
    config_path: str | None
    files: int
    seconds: float


HOLD_SHARE = 0.5  # Initial/Defined are reached with half of their probes (one showing a practice)
MAX_GAPS = 2  # failing required probes tolerated in Initial and Defined together
GAP_LEVELS = (1, 2)  # Initial and Defined are files and structure; Managed and up are gates,
# and a gate with a hole is not a gate: from Managed up a level must be complete to be passed


def _required(results: list[ProbeResult], lvl: int, view: str) -> list[ProbeResult]:
    return [
        r
        for r in results
        if r.definition.level == lvl
        and r.definition.required
        and getattr(r, view) != NOT_APPLICABLE
    ]


def _share(results: list[ProbeResult], lvl: int, view: str) -> float | None:
    """Pass share of the applicable required probes of one level (None: none applicable)."""
    required = _required(results, lvl, view)
    if not required:
        return None
    passed: int = sum(getattr(r, view) == PASS for r in required)
    return passed / len(required)


def _level(results: list[ProbeResult], view: str) -> int:
    """The highest L such that Initial and Defined (up to L) miss at most ``MAX_GAPS`` required
    probes between them, the reached level passes at least half of its probes (one of which
    shows a practice rather than an absence), and Managed and up are complete. A key probe
    (``key: true``) or a required custom probe is never a gap: the ladder stops where it fails."""
    level, gaps = 0, 0
    for lvl in (1, 2, 3, 4):
        required = _required(results, lvl, view)
        passed = [r for r in required if getattr(r, view) == PASS]
        if not required:
            if lvl == 1:
                break
            level = lvl  # nothing applicable at this level: it cannot hold the ladder back
            continue
        share = len(passed) / len(required)
        complete = len(passed) == len(required)
        key_failed = any(
            (r.definition.key or r.definition.custom) and getattr(r, view) != PASS for r in required
        )
        if key_failed:
            break
        gaps += len(required) - len(passed)
        shows_practice = any(r.definition.evidence for r in passed)
        if complete or (
            lvl in GAP_LEVELS and share >= HOLD_SHARE and gaps <= MAX_GAPS and shows_practice
        ):
            level = lvl
        if gaps > MAX_GAPS or (not complete and lvl not in GAP_LEVELS):
            break
    return level


def _score(results: list[ProbeResult], level: int, view: str) -> float:
    """2.5 per level as the share of it that passes, up to the level after the reached one:
    complete levels give the old ``2.5 * level + 2.5 * progress``; gaps cost their share."""
    total = 0.0
    for lvl in range(1, min(level + 1, 4) + 1):
        share = _share(results, lvl, view)
        total += 2.5 * (1.0 if share is None and lvl <= level else (share or 0.0))
    return round(min(10.0, total), 1)


def evaluate_dimension(
    model: Model, dim: Dimension, results: list[ProbeResult], annotation: Annotation | None
) -> DimensionResult:
    evidenced_na = bool(results) and all(r.status == NOT_APPLICABLE for r in results)
    annotated_na = annotation is not None and annotation.status == "not-applicable"
    applicable = not (evidenced_na or annotated_na)
    level = _level(results, "effective") if applicable else 0
    evidenced = _level(results, "status") if not evidenced_na else 0
    score = _score(results, level, "effective") if applicable else 0.0
    ev_score = _score(results, evidenced, "status") if not evidenced_na else 0.0
    nxt = level + 1 if applicable and level < 4 else None
    failing = [
        r
        for r in results
        if applicable and r.definition.required and r.effective not in (PASS, NOT_APPLICABLE)
    ]
    gaps = [r for r in failing if r.definition.level <= level]
    # the next level needs its own failing probes first, then the gaps below it
    needs = [r for r in failing if r.definition.level == nxt] + gaps if nxt else []
    na_reason = None
    if evidenced_na:
        na_reason = next(
            (f.message for r in results for f in r.findings if f.outcome == NOT_APPLICABLE), None
        )
    elif annotated_na and annotation is not None:
        na_reason = f"annotated not-applicable: {annotation.reason}"
    reason = _reason(model, level, applicable, na_reason, needs, results, gaps)
    return DimensionResult(
        dim,
        results,
        applicable,
        not evidenced_na,
        na_reason,
        level,
        evidenced,
        score,
        ev_score,
        reason,
        nxt,
        needs,
        annotation,
        gaps=gaps,
    )


def _reason(
    model: Model,
    level: int,
    applicable: bool,
    na_reason: str | None,
    needs: list[ProbeResult],
    results: list[ProbeResult],
    gaps: list[ProbeResult],
) -> str:
    if not applicable:
        return f"Not applicable: {na_reason}"
    gap_text = (
        f" (gap{'s' if len(gaps) > 1 else ''}: {', '.join(r.definition.id for r in gaps[:3])})"
        if gaps
        else ""
    )
    if level == 4:
        return (
            "Every required probe passes up to Optimized."
            if not gaps
            else f"Optimized reached{gap_text}."
        )
    blocker = needs[0] if needs else None
    msg = ""
    if blocker is not None:
        failing = next((f for f in blocker.findings if f.outcome in (FAIL, "error")), None)
        msg = failing.message if failing else blocker.definition.question
    reached = model.level_names[level]
    target = model.level_names[level + 1]
    passed = [r for r in results if r.definition.level <= level and r.effective == PASS]
    lead = (
        f"{reached} reached ({len(passed)} probes pass){gap_text}"
        if level
        else "Nothing at Initial is evidenced"
    )
    return f"{lead}; {target} needs {blocker.definition.id if blocker else '?'}: {msg}"


def _weighted_median(dims: list[DimensionResult], attr: str) -> int:
    """The highest level that dimensions carrying at least half the weight reach."""
    total = sum(d.dimension.weight for d in dims)
    for lvl in (4, 3, 2, 1):
        if sum(d.dimension.weight for d in dims if getattr(d, attr) >= lvl) >= total / 2:
            return lvl
    return 0


def overall_level(dims: list[DimensionResult], attr: str, genai: bool) -> tuple[int, str | None]:
    """(level, what capped it): median, at most weakest + 1, at least Initial for GenAI code."""
    if not genai:
        return 0, "no GenAI practice in the repository (no LLM SDK, prompts or LLM evaluation)"
    if not dims:
        return 1, None
    median = _weighted_median(dims, attr)
    weakest = min(getattr(d, attr) for d in dims)
    level, why = median, None
    if weakest + 1 < level:
        level = weakest + 1
        names = [d.dimension.id for d in dims if getattr(d, attr) == weakest]
        why = f"capped at weakest + 1: {', '.join(names)} at level {weakest}"
    return max(level, 1), why


def overall(model: Model, dims: list[DimensionResult], genai: str | None = None) -> Overall:
    applicable = [d for d in dims if d.applicable]
    ev_applicable = [d for d in dims if d.evidenced_applicable]
    level, capped = overall_level(applicable, "level", genai is not None)
    ev_level, _ = overall_level(ev_applicable, "evidenced_level", genai is not None)

    def mean(items: list[DimensionResult], attr: str) -> float:
        total = sum(d.dimension.weight for d in items)
        return (
            round(sum(getattr(d, attr) * d.dimension.weight for d in items) / total, 1)
            if total
            else 0.0
        )

    low = min((d.level for d in applicable), default=0)
    weakest = [d.dimension.id for d in applicable if d.level == low]
    return Overall(
        level,
        ev_level,
        mean(applicable, "score"),
        mean(ev_applicable, "evidenced_score"),
        weakest,
        genai,
        capped,
    )


def build_results(
    model: Model,
    probes: list[ProbeDef],
    findings: dict[str, list[Finding]],
    annotations: list[Annotation],
) -> dict[str, list[ProbeResult]]:
    by_probe = {a.probe: a for a in annotations if a.probe}
    out: dict[str, list[ProbeResult]] = {d.id: [] for d in model.dimensions}
    for definition in probes:
        fs = findings.get(definition.id, [])
        out[definition.dimension].append(
            ProbeResult(definition, probe_status(fs), fs, by_probe.get(definition.id))
        )
    return out
