"""The eval gate: absolute floors and regression against the baseline, failing closed.

Fail-closed rules (any one fails the gate): a dataset smaller than declared, an error rate
above ``max_error_rate``, a required metric missing or not a number, a configured judge that
produced no score, a missing or stale baseline for a metric under regression control.

The verdict keeps apart what a reviewer must not confuse (exit code in brackets):

* **passed** (0): every check was measured and passed;
* **not fully evaluated** (0): nothing measured failed, but something was not measured (a
  prompt change the offline model cannot judge); the report says so instead of "passed";
* **breached** (1): a measured check failed, the quality gate holds the change back;
* **could not run** (3): there was no evidence to judge (the app did not start, no item was
  answered, the judge was unreachable, no comparable baseline): fix the run, not the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.aggregate import metric_value
from eval.config import SuiteConfig
from eval.metrics import higher_is_better
from eval.scope import Note
from eval.stats import paired_bootstrap

PASSED = "passed"
NOT_FULLY_EVALUATED = "not fully evaluated"
BREACHED = "breached"
COULD_NOT_RUN = "could not run"
EXIT_CODES = {PASSED: 0, NOT_FULLY_EVALUATED: 0, BREACHED: 1, COULD_NOT_RUN: 3}


@dataclass(frozen=True)
class Check:
    suite: str
    kind: str
    metric: str
    passed: bool
    detail: str
    # False: the check could not be made (no comparable baseline), which is not a breach
    measured: bool = True

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...] = ()
    notes: tuple[Note, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "reasons": list(self.reasons),
            "not_evaluated": [n.as_dict() for n in self.notes],
        }


def verdict(checks: list[Check], blockers: list[str], notes: list[Note]) -> Verdict:
    """Could not run > breached > unmeasured checks > not fully evaluated > passed."""
    if blockers:
        return Verdict(COULD_NOT_RUN, tuple(blockers), tuple(notes))
    breaches = [c for c in checks if c.measured and not c.passed]
    if breaches or not checks:
        return Verdict(BREACHED, tuple(_line(c) for c in breaches) or ("no checks",), tuple(notes))
    unmeasured = [c for c in checks if not c.measured and not c.passed]
    if unmeasured:
        return Verdict(COULD_NOT_RUN, tuple(_line(c) for c in unmeasured), tuple(notes))
    if notes:
        return Verdict(NOT_FULLY_EVALUATED, (), tuple(notes))
    return Verdict(PASSED)


def _line(check: Check) -> str:
    return f"{check.suite} {check.kind} {check.metric}: {check.detail}"


def _cmp(metric: str, value: float, bound: float) -> bool:
    return value >= bound if higher_is_better(metric) else value <= bound


def check_suite(
    suite: SuiteConfig,
    summary: dict[str, Any],
    per_item: dict[str, dict[str, float]],
    baseline: dict[str, dict[str, float]] | None,
    max_error_rate: float,
    judged: bool,
    confidence: float = 0.95,
    resamples: int = 10_000,
    seed: int = 12345,
    regression: bool = True,
) -> list[Check]:
    """Every check of one suite. ``per_item``/``baseline``: metric -> {item_id: value}.

    ``regression=False`` (when a new baseline is being made) skips the baseline comparison.
    """
    name = suite.name
    checks: list[Check] = []

    def add(kind: str, metric: str, passed: bool, detail: str) -> None:
        checks.append(Check(name, kind, metric, passed, detail))

    n = int(summary.get("n_items", 0))
    add(
        "dataset",
        "n_items",
        n >= suite.min_items,
        f"{n} items (declared minimum {suite.min_items})",
    )
    rate = float(summary.get("error_rate", 1.0))
    add(
        "errors",
        "error_rate",
        rate <= max_error_rate,
        f"{summary.get('n_errors', 0)} errored of {n} ({rate:.1%}; allowed {max_error_rate:.1%})",
    )
    if judged and suite.judges:
        judge_scores = sum(summary.get("metrics", {}).get(j, {}).get("n", 0) for j in suite.judges)
        add(
            "judge",
            "judge_scores",
            judge_scores > 0,
            f"{judge_scores} judge scores from {len(suite.judges)} configured judge(s)",
        )
    floors = dict(suite.floors) | (dict(suite.judge_floors) if judged else {})
    for metric in sorted(suite.required_metrics(judged)):
        if metric_value(summary, metric) is None:
            add("missing", metric, False, "required metric was not produced (failing closed)")
    for metric, floor in sorted(floors.items()):
        value = metric_value(summary, metric)
        if value is None:
            continue
        sign = ">=" if higher_is_better(metric) else "<="
        add("floor", metric, _cmp(metric, value, floor), f"{value:.4f} {sign} {floor:g}")
    for metric, tolerance in sorted(suite.regression.items() if regression else ()):
        checks.append(
            _regression(
                name,
                metric,
                tolerance,
                per_item,
                baseline,
                suite.min_items,
                confidence,
                resamples,
                seed,
            )
        )
    return checks


def _regression(
    suite: str,
    metric: str,
    tolerance: float,
    per_item: dict[str, dict[str, float]],
    baseline: dict[str, dict[str, float]] | None,
    min_items: int,
    confidence: float,
    resamples: int,
    seed: int,
) -> Check:
    """Fail when the whole CI of (candidate - baseline) lies beyond the tolerance."""
    if baseline is None:
        return Check(
            suite,
            "regression",
            metric,
            False,
            "no baseline for this suite and provider (run `make baseline` and commit it)",
            measured=False,
        )
    base, cand = baseline.get(metric, {}), per_item.get(metric, {})
    common = sorted(set(base) & set(cand))
    if not base:
        return Check(
            suite,
            "regression",
            metric,
            False,
            "baseline has no per-item scores for it (run `make baseline`)",
            measured=False,
        )
    if len(common) < min(min_items, len(base)):
        return Check(
            suite,
            "regression",
            metric,
            False,
            f"only {len(common)} items pair with the baseline's {len(base)} "
            "(baseline stale or items errored; refresh with `make baseline`)",
            measured=len(cand) < min_items,  # few candidate scores: the run itself broke
        )
    result = paired_bootstrap(
        [base[i] for i in common], [cand[i] for i in common], confidence, resamples, seed
    )
    # the most favourable end of the CI, expressed as an improvement
    best_case = result.high if higher_is_better(metric) else -result.low
    passed = best_case >= -tolerance
    detail = (
        f"delta {result.delta:+.4f}, {confidence:.0%} CI [{result.low:+.4f}, {result.high:+.4f}],"
        f" n={result.n}, tolerance {tolerance:g}"
    )
    return Check(suite, "regression", metric, passed, detail)


def passed(checks: list[Check]) -> bool:
    """The gate's verdict: every check passed (an empty list is not a pass)."""
    return bool(checks) and all(c.passed for c in checks)
