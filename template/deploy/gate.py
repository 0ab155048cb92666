"""The canary gate: a pure decision over the metrics of the stable and the canary revision.

No I/O here, so every rule is unit-tested and the same code decides in CI, in a local
rehearsal and in production. Rules are relative to the stable revision (what "normal" looks
like today), with absolute ceilings, and fail closed: too few requests never promotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What the controller does next with the canary."""

    PROMOTE = "promote"
    HOLD = "hold"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class RevisionMetrics:
    """Telemetry of one revision over the window the gate looks at."""

    revision: str
    requests: int
    failures: int
    p95_ms: float | None
    eval_score: float | None = None
    healthy: bool = True

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class GateConfig:
    """Thresholds, checked into the repository (deploy/canary.toml)."""

    min_requests: int = 50
    max_error_rate: float = 0.02
    error_rate_factor: float = 2.0
    p95_factor: float = 1.5
    p95_tolerance_ms: float = 50.0
    max_p95_ms: float = 10_000.0
    max_eval_drop: float = 0.05
    min_eval_score: float | None = None
    require_eval_score: bool = False


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[str, ...]


def decide(
    stable: RevisionMetrics,
    canary: RevisionMetrics,
    *,
    elapsed_s: float,
    min_bake_s: float,
    max_wait_s: float,
    config: GateConfig,
) -> Decision:
    """Promote, hold or roll back the canary after ``elapsed_s`` seconds at its current weight."""
    if not canary.healthy:
        return Decision(Action.ROLLBACK, (f"canary {canary.revision} is not healthy",))
    if canary.requests < config.min_requests:
        counted = f"{canary.requests}/{config.min_requests} canary requests"
        if elapsed_s >= max_wait_s:
            return Decision(
                Action.ROLLBACK,
                (f"only {counted} after {elapsed_s:.0f}s: too little evidence, failing closed",),
            )
        return Decision(Action.HOLD, (f"waiting for requests: {counted}",))

    breaches = _breaches(stable, canary, config)
    if breaches:
        return Decision(Action.ROLLBACK, tuple(breaches))
    if elapsed_s < min_bake_s:
        return Decision(Action.HOLD, (f"baking: {elapsed_s:.0f}s of {min_bake_s:.0f}s",))
    return Decision(Action.PROMOTE, (_summary(stable, canary),))


def _has_baseline(stable: RevisionMetrics, config: GateConfig) -> bool:
    return stable.requests >= config.min_requests


def _breaches(stable: RevisionMetrics, canary: RevisionMetrics, config: GateConfig) -> list[str]:
    found: list[str] = []
    baseline = _has_baseline(stable, config)

    allowed_errors = config.max_error_rate
    if baseline:
        allowed_errors = max(allowed_errors, config.error_rate_factor * stable.error_rate)
    if canary.error_rate > allowed_errors:
        found.append(
            f"error rate {canary.error_rate:.1%} > allowed {allowed_errors:.1%} "
            f"(stable {stable.error_rate:.1%})"
        )

    if canary.p95_ms is None:
        found.append("no latency data for the canary")
    else:
        allowed_p95 = config.max_p95_ms
        if baseline and stable.p95_ms is not None:
            relative = max(
                stable.p95_ms * config.p95_factor,
                stable.p95_ms + config.p95_tolerance_ms,
            )
            allowed_p95 = min(allowed_p95, relative)
        if canary.p95_ms > allowed_p95:
            found.append(f"p95 latency {canary.p95_ms:.0f} ms > allowed {allowed_p95:.0f} ms")

    if canary.eval_score is None:
        if config.require_eval_score:
            found.append("no online eval score for the canary")
    else:
        if stable.eval_score is not None and stable.eval_score > 0:
            drop = (stable.eval_score - canary.eval_score) / stable.eval_score
            if drop > config.max_eval_drop:
                found.append(
                    f"eval score {canary.eval_score:.3f} is {drop:.1%} below stable "
                    f"{stable.eval_score:.3f} (max drop {config.max_eval_drop:.0%})"
                )
        if config.min_eval_score is not None and canary.eval_score < config.min_eval_score:
            found.append(f"eval score {canary.eval_score:.3f} < floor {config.min_eval_score:.3f}")
    return found


def _summary(stable: RevisionMetrics, canary: RevisionMetrics) -> str:
    p95 = f"{canary.p95_ms:.0f} ms" if canary.p95_ms is not None else "n/a"
    score = f", eval {canary.eval_score:.3f}" if canary.eval_score is not None else ""
    return (
        f"healthy: {canary.requests} requests, error rate {canary.error_rate:.1%} "
        f"(stable {stable.error_rate:.1%}), p95 {p95}{score}"
    )
