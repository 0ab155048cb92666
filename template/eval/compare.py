"""Variant A against variant B on the same items: per-metric delta, 95 % CI, sign test, verdict.

Verdicts follow the paired-bootstrap CI of (B - A) oriented so that "better" means B improves:
better when the CI lies above 0, worse when it lies below 0, otherwise not different.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eval.metrics import higher_is_better
from eval.stats import paired_bootstrap

BETTER, WORSE, SAME = "better", "worse", "not different"


@dataclass(frozen=True)
class MetricComparison:
    suite: str
    metric: str
    mean_a: float
    mean_b: float
    delta: float
    ci_low: float
    ci_high: float
    n: int
    wins: int
    losses: int
    ties: int
    sign_p: float
    bootstrap_p: float
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def verdict(metric: str, low: float, high: float) -> str:
    """better / worse / not different for B relative to A, given the CI of (B - A)."""
    if low > 0 or high < 0:
        improved = low > 0
        return BETTER if improved == higher_is_better(metric) else WORSE
    return SAME


def compare_suite(
    suite: str,
    a: dict[str, dict[str, float]],
    b: dict[str, dict[str, float]],
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 12345,
) -> list[MetricComparison]:
    """Compare every metric both runs produced, over the items both runs scored."""
    results: list[MetricComparison] = []
    for metric in sorted(set(a) & set(b)):
        common = sorted(set(a[metric]) & set(b[metric]))
        if not common:
            continue
        va, vb = [a[metric][i] for i in common], [b[metric][i] for i in common]
        paired = paired_bootstrap(va, vb, confidence, resamples, seed)
        # with wins/losses counted in the metric's own direction
        wins, losses = (
            (paired.wins, paired.losses)
            if higher_is_better(metric)
            else (paired.losses, paired.wins)
        )
        results.append(
            MetricComparison(
                suite=suite,
                metric=metric,
                mean_a=sum(va) / len(va),
                mean_b=sum(vb) / len(vb),
                delta=paired.delta,
                ci_low=paired.low,
                ci_high=paired.high,
                n=paired.n,
                wins=wins,
                losses=losses,
                ties=paired.ties,
                sign_p=paired.sign_p,
                bootstrap_p=paired.bootstrap_p,
                verdict=verdict(metric, paired.low, paired.high),
            )
        )
    return results


def overall(results: list[MetricComparison], primary: dict[str, str]) -> dict[str, str]:
    """Verdict per suite on its primary metric (the one decisions are made on)."""
    out: dict[str, str] = {}
    for suite, metric in primary.items():
        match = [r for r in results if r.suite == suite and r.metric == metric]
        out[suite] = match[0].verdict if match else "no data"
    return out
