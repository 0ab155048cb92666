"""The gate fails closed: missing metrics, errored rows, short datasets, silent judges and
missing baselines all fail; a healthy run against its own baseline passes."""

from pathlib import Path

from eval.config import SuiteConfig
from eval.gate import check_suite, passed

SUITE = SuiteConfig(
    name="rag_chat",
    dataset=Path("unused.jsonl"),
    min_items=30,
    floors={"recall@5": 0.8},
    regression={"recall@5": 0.02},
    judge_floors={"groundedness_pass": 0.9},
    judges=("groundedness",),
)
ITEMS = {f"q{n}": 1.0 if n % 10 else 0.0 for n in range(30)}  # recall 0.9


def summary(n_items: int = 30, n_errors: int = 0, metrics: dict | None = None) -> dict:
    metrics = metrics if metrics is not None else {"recall@5": {"mean": 0.9, "n": 30}}
    return {
        "n_items": n_items,
        "n_errors": n_errors,
        "error_rate": n_errors / n_items,
        "metrics": metrics,
        "corpus": {},
    }


def failures(checks: list) -> set[tuple[str, str]]:
    return {(c.kind, c.metric) for c in checks if not c.passed}


def test_healthy_run_against_its_own_baseline_passes() -> None:
    checks = check_suite(
        SUITE, summary(), {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.0, judged=False
    )
    assert passed(checks), [c for c in checks if not c.passed]


def test_missing_metric_fails_closed() -> None:
    checks = check_suite(SUITE, summary(metrics={}), {}, {"recall@5": ITEMS}, 0.0, judged=False)
    assert ("missing", "recall@5") in failures(checks)
    assert not passed(checks)


def test_nan_metric_counts_as_missing() -> None:
    bad = summary(metrics={"recall@5": {"mean": float("nan"), "n": 30}})
    assert ("missing", "recall@5") in failures(
        check_suite(SUITE, bad, {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.0, False)
    )


def test_errored_rows_above_the_allowed_rate_fail() -> None:
    checks = check_suite(
        SUITE, summary(n_errors=2), {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.05, False
    )
    assert ("errors", "error_rate") in failures(checks)
    allowed = check_suite(
        SUITE, summary(n_errors=1), {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.05, False
    )
    assert ("errors", "error_rate") not in failures(allowed)


def test_dataset_smaller_than_declared_fails() -> None:
    checks = check_suite(
        SUITE, summary(n_items=12), {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.0, False
    )
    assert ("dataset", "n_items") in failures(checks)


def test_configured_judge_without_scores_fails() -> None:
    checks = check_suite(
        SUITE, summary(), {"recall@5": ITEMS}, {"recall@5": ITEMS}, 0.0, judged=True
    )
    assert {("judge", "judge_scores"), ("missing", "groundedness_pass")} <= failures(checks)


def test_missing_or_stale_baseline_fails_closed() -> None:
    assert ("regression", "recall@5") in failures(
        check_suite(SUITE, summary(), {"recall@5": ITEMS}, None, 0.0, False)
    )
    stale = {"recall@5": {"other-item": 1.0}}
    assert ("regression", "recall@5") in failures(
        check_suite(SUITE, summary(), {"recall@5": ITEMS}, stale, 0.0, False)
    )


def test_regression_beyond_tolerance_fails_and_floor_reports_the_value() -> None:
    dropped = {k: 0.0 if n % 2 else v for n, (k, v) in enumerate(ITEMS.items())}
    checks = check_suite(
        SUITE,
        summary(metrics={"recall@5": {"mean": 0.45, "n": 30}}),
        {"recall@5": dropped},
        {"recall@5": ITEMS},
        0.0,
        False,
    )
    assert {("regression", "recall@5"), ("floor", "recall@5")} <= failures(checks)
    floor = next(c for c in checks if c.kind == "floor")
    assert floor.detail == "0.4500 >= 0.8"


def test_an_empty_check_list_is_not_a_pass() -> None:
    assert passed([]) is False
