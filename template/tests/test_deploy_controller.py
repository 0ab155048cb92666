"""The rollout loop against an in-memory platform: promote, roll back, fail closed."""

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.config import RolloutConfig
from deploy.controller import RolloutError, State, rollback, rollout, start
from deploy.gate import GateConfig, RevisionMetrics

STABLE, CANARY = "app--old", "app--new"
ROLLOUT = RolloutConfig(
    steps=(10, 50, 100), min_bake_seconds=60, max_wait_seconds=300, poll_seconds=30
)
GATE = GateConfig(min_requests=50)


class Platform:
    """Container Apps in memory; canary metrics scale with the traffic it gets."""

    def __init__(self, canary_failure_rate: float = 0.0, ready_after: int = 0) -> None:
        self.weights: dict[str, int] = {STABLE: 100}
        self.labels: dict[str, str] = {}
        self.active = {STABLE}
        self.failure_rate = canary_failure_rate
        self.ready_after = ready_after
        self.calls: list[tuple[str, object]] = []
        self.polls = 0

    def stable_revision(self) -> str:
        return STABLE

    def set_weights(self, weights: Mapping[str, int]) -> None:
        self.calls.append(("weights", dict(weights)))
        self.weights = dict(weights)
        self.polls = 0

    def create_revision(self, image: str, suffix: str) -> str:
        self.active.add(f"app--{suffix}")
        return f"app--{suffix}"

    def revision_state(self, revision: str) -> tuple[str, str]:
        self.ready_after -= 1
        return ("Healthy", "Running") if self.ready_after < 0 else ("None", "Activating")

    def label(self, label: str, revision: str) -> None:
        self.labels[label] = revision

    def deactivate(self, revision: str) -> None:
        self.calls.append(("deactivate", revision))
        self.active.discard(revision)

    def metrics(self, stable, canary, canary_since, baseline_minutes, now):
        self.polls += 1  # requests pile up while the step lasts: 10 % -> 10 per poll
        requests = self.weights.get(canary, 0) * self.polls
        failures = round(requests * self.failure_rate)
        return (
            RevisionMetrics(stable, 2000, 10, 300.0, 0.9),
            RevisionMetrics(canary, requests, failures, 310.0, 0.9),
        )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def go(platform: Platform, tmp_path: Path) -> State:
    clock = Clock()
    state_file = tmp_path / "state.json"
    start(
        platform, "img", "new", state_file, ROLLOUT, clock=clock, sleep=clock.sleep,
        log=lambda _: None,
    )  # fmt: skip
    return rollout(
        platform,
        state_file,
        ROLLOUT,
        GATE,
        clock=clock,
        sleep=clock.sleep,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        log=lambda _: None,
    )


def test_healthy_canary_goes_10_50_100_and_retires_the_old_stable(
    tmp_path: Path,
) -> None:
    platform = Platform(ready_after=2)
    state = go(platform, tmp_path)
    assert state.phase == "promoted"
    weights = [c[1] for c in platform.calls if c[0] == "weights"]
    assert weights == [
        {STABLE: 100},
        {STABLE: 90, CANARY: 10},
        {STABLE: 50, CANARY: 50},
        {STABLE: 0, CANARY: 100},
    ]
    assert platform.labels == {"canary": CANARY, "stable": CANARY}
    assert platform.active == {CANARY}
    promoted = [h["weight"] for h in state.history if h["action"] == "promote"]
    assert promoted == [10, 50, 100]


def test_failing_canary_is_rolled_back_and_deactivated(tmp_path: Path) -> None:
    platform = Platform(canary_failure_rate=0.2)
    with pytest.raises(RolloutError, match="rolled back at 10 %"):
        go(platform, tmp_path)
    assert platform.weights == {STABLE: 100, CANARY: 0}
    assert CANARY not in platform.active and STABLE in platform.active
    state = State.load(tmp_path / "state.json")
    assert state is not None and state.phase == "rolled_back"


def test_canary_that_never_gets_traffic_fails_closed(tmp_path: Path) -> None:
    platform = Platform()
    platform.metrics = lambda s, c, *a: (  # type: ignore[method-assign]
        RevisionMetrics(s, 2000, 0, 300.0),
        RevisionMetrics(c, 3, 0, 300.0),
    )
    with pytest.raises(RolloutError, match="failing closed"):
        go(platform, tmp_path)
    assert platform.weights[STABLE] == 100


def test_rollback_after_cancel_is_idempotent_and_spares_a_promoted_canary(
    tmp_path: Path,
) -> None:
    platform = Platform()
    state_file = tmp_path / "state.json"
    assert rollback(platform, state_file, log=lambda _: None) is None  # nothing created yet
    start(platform, "img", "new", state_file, ROLLOUT, log=lambda _: None)
    platform.set_weights({STABLE: 90, CANARY: 10})  # cancelled mid-rollout
    rollback(platform, state_file, log=lambda _: None)
    rollback(platform, state_file, log=lambda _: None)
    assert [c for c in platform.calls if c[0] == "deactivate"] == [("deactivate", CANARY)]
    assert platform.weights == {STABLE: 100, CANARY: 0}

    promoted = tmp_path / "promoted.json"
    State(STABLE, CANARY, phase="promoted", weight=100).save(promoted)
    platform.calls.clear()
    rollback(platform, promoted, log=lambda _: None)
    assert platform.calls == []


def test_a_revision_that_never_gets_ready_stops_the_start(tmp_path: Path) -> None:
    platform = Platform(ready_after=10**6)
    clock = Clock()
    with pytest.raises(RolloutError, match="not ready"):
        start(
            platform, "img", "new", tmp_path / "s.json", ROLLOUT, clock=clock,
            sleep=clock.sleep, log=lambda _: None,
        )  # fmt: skip
    assert State.load(tmp_path / "s.json") is not None  # the rollback step will find it


def test_rollout_needs_a_started_canary(tmp_path: Path) -> None:
    with pytest.raises(RolloutError, match="run canary-start first"):
        rollout(Platform(), tmp_path / "none.json", ROLLOUT, GATE)
