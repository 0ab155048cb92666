"""Turn probe findings into levels: per dimension, a level is reached only when all its required
probes and those of every lower level pass; overall = the weakest applicable dimension.

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


@dataclass
class Overall:
    level: int
    evidenced_level: int
    score: float
    evidenced_score: float
    weakest: list[str]


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


def _level(results: list[ProbeResult], view: str) -> int:
    level = 0
    for lvl in (1, 2, 3, 4):
        required = [r for r in results if r.definition.level == lvl and r.definition.required]
        statuses = [getattr(r, view) for r in required]
        if any(s not in (PASS, NOT_APPLICABLE) for s in statuses):
            break
        if not statuses and lvl == 1:
            break
        level = lvl
    return level


def _score(results: list[ProbeResult], level: int, view: str) -> float:
    if level >= 4:
        return 10.0
    nxt = [
        r
        for r in results
        if r.definition.level == level + 1
        and r.definition.required
        and getattr(r, view) != NOT_APPLICABLE
    ]
    progress = sum(getattr(r, view) == PASS for r in nxt) / len(nxt) if nxt else 0.0
    return round(min(10.0, 2.5 * level + 2.5 * progress), 1)


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
    needs = [
        r
        for r in results
        if nxt
        and r.definition.level <= nxt
        and r.definition.required
        and r.effective not in (PASS, NOT_APPLICABLE)
    ]
    na_reason = None
    if evidenced_na:
        na_reason = next(
            (f.message for r in results for f in r.findings if f.outcome == NOT_APPLICABLE), None
        )
    elif annotated_na and annotation is not None:
        na_reason = f"annotated not-applicable: {annotation.reason}"
    reason = _reason(model, level, applicable, na_reason, needs, results)
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
    )


def _reason(
    model: Model,
    level: int,
    applicable: bool,
    na_reason: str | None,
    needs: list[ProbeResult],
    results: list[ProbeResult],
) -> str:
    if not applicable:
        return f"Not applicable: {na_reason}"
    if level == 4:
        return "Every required probe passes up to Optimized."
    blocker = needs[0] if needs else None
    msg = ""
    if blocker is not None:
        failing = next((f for f in blocker.findings if f.outcome in (FAIL, "error")), None)
        msg = failing.message if failing else blocker.definition.question
    reached = model.level_names[level]
    target = model.level_names[level + 1]
    passed = [r for r in results if r.definition.level <= level and r.effective == PASS]
    lead = (
        f"{reached} reached ({len(passed)} probes pass)"
        if level
        else "Nothing at Initial is evidenced"
    )
    return f"{lead}; {target} needs {blocker.definition.id if blocker else '?'}: {msg}"


def overall(model: Model, dims: list[DimensionResult]) -> Overall:
    applicable = [d for d in dims if d.applicable]
    ev_applicable = [d for d in dims if d.evidenced_applicable]
    level = min((d.level for d in applicable), default=0)
    ev_level = min((d.evidenced_level for d in ev_applicable), default=0)

    def mean(items: list[DimensionResult], attr: str) -> float:
        total = sum(d.dimension.weight for d in items)
        return (
            round(sum(getattr(d, attr) * d.dimension.weight for d in items) / total, 1)
            if total
            else 0.0
        )

    weakest = [d.dimension.id for d in applicable if d.level == level]
    return Overall(
        level, ev_level, mean(applicable, "score"), mean(ev_applicable, "evidenced_score"), weakest
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
