"""The canary gate's rules: relative to stable, absolute ceilings, fail closed."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.gate import Action, GateConfig, RevisionMetrics, decide

CONFIG = GateConfig(min_requests=50)
STABLE = RevisionMetrics("app--old", requests=1000, failures=10, p95_ms=400.0, eval_score=0.8)


def canary(**overrides: object) -> RevisionMetrics:
    values: dict[str, object] = {
        "revision": "app--new",
        "requests": 100,
        "failures": 1,
        "p95_ms": 420.0,
        "eval_score": 0.8,
    }
    values.update(overrides)
    return RevisionMetrics(**values)  # type: ignore[arg-type]


def run(metrics: RevisionMetrics, elapsed: float = 600, stable: RevisionMetrics = STABLE):
    return decide(
        stable,
        metrics,
        elapsed_s=elapsed,
        min_bake_s=300,
        max_wait_s=900,
        config=CONFIG,
    )


def test_healthy_canary_after_bake_time_is_promoted() -> None:
    decision = run(canary())
    assert decision.action is Action.PROMOTE
    assert "100 requests" in decision.reasons[0]


def test_healthy_canary_holds_until_the_bake_time_is_over() -> None:
    decision = run(canary(), elapsed=120)
    assert decision.action is Action.HOLD
    assert "baking" in decision.reasons[0]


def test_too_few_requests_holds_then_fails_closed() -> None:
    assert run(canary(requests=10), elapsed=600).action is Action.HOLD
    decision = run(canary(requests=10, failures=0), elapsed=900)
    assert decision.action is Action.ROLLBACK
    assert "failing closed" in decision.reasons[0]


def test_unhealthy_canary_rolls_back_at_once() -> None:
    decision = run(canary(healthy=False, requests=0), elapsed=1)
    assert decision.action is Action.ROLLBACK


@pytest.mark.parametrize(
    ("failures", "action"),
    [(2, Action.PROMOTE), (3, Action.ROLLBACK)],  # allowed: max(2 %, 2 x 1 %) = 2 %
)
def test_error_rate_is_judged_against_twice_the_stable_rate(failures, action) -> None:
    assert run(canary(failures=failures)).action is action


def test_error_rate_allowance_grows_with_a_noisy_stable() -> None:
    noisy = RevisionMetrics("app--old", 1000, 50, 400.0, 0.8)  # 5 %
    assert run(canary(failures=9), stable=noisy).action is Action.PROMOTE  # 9 % < 10 %
    assert run(canary(failures=11), stable=noisy).action is Action.ROLLBACK


def test_p95_over_one_and_a_half_times_stable_rolls_back() -> None:
    assert run(canary(p95_ms=590.0)).action is Action.PROMOTE
    decision = run(canary(p95_ms=610.0))
    assert decision.action is Action.ROLLBACK
    assert "p95 latency 610 ms > allowed 600 ms" in decision.reasons[0]


def test_small_latency_differences_are_tolerated() -> None:
    fast = RevisionMetrics("app--old", 1000, 0, 10.0, None)
    assert run(canary(p95_ms=55.0, failures=0), stable=fast).action is Action.PROMOTE


def test_absolute_ceilings_apply_without_a_stable_baseline() -> None:
    quiet = RevisionMetrics("app--old", 3, 0, None, None)
    assert run(canary(p95_ms=9000.0, failures=1), stable=quiet).action is Action.PROMOTE
    assert run(canary(p95_ms=11000.0, failures=1), stable=quiet).action is Action.ROLLBACK
    assert run(canary(failures=3), stable=quiet).action is Action.ROLLBACK  # 3 % > 2 %


def test_eval_score_drop_over_five_percent_rolls_back() -> None:
    assert run(canary(eval_score=0.77)).action is Action.PROMOTE  # -3.75 %
    decision = run(canary(eval_score=0.7))
    assert decision.action is Action.ROLLBACK
    assert "eval score 0.700" in decision.reasons[0]


def test_missing_eval_score_fails_closed_only_when_required() -> None:
    assert run(canary(eval_score=None)).action is Action.PROMOTE
    strict = GateConfig(min_requests=50, require_eval_score=True)
    decision = decide(
        STABLE,
        canary(eval_score=None),
        elapsed_s=600,
        min_bake_s=300,
        max_wait_s=900,
        config=strict,
    )
    assert decision.action is Action.ROLLBACK


def test_every_breach_is_reported() -> None:
    decision = run(canary(failures=30, p95_ms=2000.0, eval_score=0.5))
    assert decision.action is Action.ROLLBACK
    assert len(decision.reasons) == 3


# --- the local Application Insights: envelopes -> rows, as the queries read them -----------


def _request_envelope(revision: str, success: bool, sample_rate: float | None = None) -> dict:
    envelope = {
        "time": "2026-01-01T10:00:00.123456Z",
        "tags": {"ai.application.ver": revision, "ai.operation.id": "abc"},
        "data": {
            "baseType": "RequestData",
            "baseData": {
                "name": "POST /chat",
                "success": success,
                "duration": "0.00:00:01.500",
                "responseCode": "200" if success else "500",
                "properties": {},
            },
        },
    }
    if sample_rate is not None:
        envelope["sampleRate"] = sample_rate
    return envelope


def test_envelopes_become_rows_with_milliseconds_and_item_counts() -> None:
    from deploy.appinsights_local import duration_ms, to_row

    assert duration_ms("1.02:03:04.5") == ((26 * 60 + 3) * 60 + 4.5) * 1000
    table, row = to_row(_request_envelope("app--a", True, sample_rate=25.0))  # type: ignore[misc]
    assert table == "requests" and row["duration"] == 1500.0 and row["itemCount"] == 4
    assert row["application_Version"] == "app--a" and row["operation_Id"] == "abc"


def test_the_gate_counts_sampled_rows_by_their_item_count() -> None:
    from datetime import UTC, datetime, timedelta

    from deploy.appinsights_local import Store, answer
    from deploy.queries import gate_query

    store = Store()
    store.add([_request_envelope("app--new", True, 50.0), _request_envelope("app--new", False)])
    since = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    kql = gate_query("app--old", "app--new", since, 60)
    assert "sum(itemCount)" in kql and "sumif(itemCount, success == false)" in kql
    table = answer(store, kql, now=since + timedelta(hours=1, minutes=30))["tables"][0]
    ((revision, requests, failures, p95, score),) = table["rows"]
    assert (revision, requests, failures, p95, score) == ("app--new", 3, 1, 1500.0, None)
