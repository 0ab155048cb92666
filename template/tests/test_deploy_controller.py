"""The rollout loop against an in-memory platform: promote, roll back, fail closed."""

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy.config import RolloutConfig
from deploy.contract import use_cases
from deploy.controller import RolloutError, State, rollback, rollout, start
from deploy.gate import GateConfig, RevisionMetrics
from deploy.synthetic import SyntheticConfig, SyntheticLoad, eval_requests
from deploy.synthetic import load_config as load_synthetic

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


# --- a quiet app: no user traffic at all, only the controller's synthetic load -------------


class QuietPlatform(Platform):
    """Nobody uses the app: the canary's rows are exactly what the synthetic load sent it."""

    def __init__(self, score: float = 0.9) -> None:
        super().__init__()
        self.received: list[str] = []
        self.score = score

    def label_url(self, label: str) -> str:
        return f"https://app---{label}.example"

    def send(self, url: str, route: str, body: dict, timeout_s: float) -> int:
        self.received.append(url + route)
        return 200

    def metrics(self, stable, canary, canary_since, baseline_minutes, now):
        mine = len(self.received) - self.at_step_start
        return (
            RevisionMetrics(stable, 0, 0, None, None),
            RevisionMetrics(canary, mine, 0, 300.0, self.score if mine else None),
        )

    def set_weights(self, weights: Mapping[str, int]) -> None:
        super().set_weights(weights)
        self.at_step_start = len(getattr(self, "received", []))


def quiet_rollout(platform: QuietPlatform, tmp_path: Path, load: SyntheticLoad | None) -> State:
    clock = Clock()
    state_file = tmp_path / "state.json"
    start(platform, "img", "new", state_file, ROLLOUT, clock=clock, sleep=clock.sleep, log=str)
    gate = GateConfig(min_requests=50, min_eval_score=0.5, require_eval_score=True)
    return rollout(
        platform,
        state_file,
        ROLLOUT,
        gate,
        clock=clock,
        sleep=clock.sleep,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        log=str,
        load=load,
    )


def synthetic(platform: QuietPlatform, **config: object) -> SyntheticLoad:
    items = eval_requests(Path(__file__).resolve().parents[1])
    settings = SyntheticConfig(requests_per_step=60, per_poll=20, **config)  # type: ignore[arg-type]
    return SyntheticLoad(platform.label_url("canary"), items, settings, send=platform.send)


def test_a_quiet_app_without_synthetic_load_always_rolls_back(tmp_path: Path) -> None:
    with pytest.raises(RolloutError, match="too little evidence"):
        quiet_rollout(QuietPlatform(), tmp_path, load=None)


def test_a_quiet_app_is_judged_on_its_synthetic_load_and_promoted(tmp_path: Path) -> None:
    platform = QuietPlatform()
    load = synthetic(platform)
    state = quiet_rollout(platform, tmp_path, load)
    assert state.phase == "promoted"
    assert [h["weight"] for h in state.history if h["action"] == "promote"] == [10, 50, 100]
    # bounded: 60 per step, 20 per poll, all of it at the canary's label URL
    assert load.total == {"sent": 180, "ok": 180, "failed": 0}
    assert {u.rsplit("/", 1)[0] for u in platform.received} == {"https://app---canary.example"}
    assert max(h["synthetic_sent"] for h in state.history) == 20


def test_a_quiet_app_with_bad_answers_is_rolled_back_on_its_eval_floor(tmp_path: Path) -> None:
    platform = QuietPlatform(score=0.1)
    with pytest.raises(RolloutError, match="eval score 0.100 < floor 0.500"):
        quiet_rollout(platform, tmp_path, synthetic(platform))


def test_synthetic_items_come_from_the_eval_suite_of_the_use_case() -> None:
    root = Path(__file__).resolve().parents[1]
    items = eval_requests(root)
    thresholds = yaml.safe_load((root / "evals" / "thresholds.yaml").read_text())
    suite = thresholds["suites"][0]  # one request per golden record, to the suite's route
    dataset = (root / thresholds[suite]["dataset"]).read_text().split("\n")
    assert len(items) == len([line for line in dataset if line.strip()])
    assert len(items) >= thresholds[suite]["min_items"]
    assert {route for route, _ in items} == {use_cases(root)[suite]["route"]}


def test_the_shipped_canary_config_lets_a_quiet_app_pass() -> None:
    from deploy.config import DEFAULT_PATH, load

    _rollout, gate = load(DEFAULT_PATH)
    settings = load_synthetic(DEFAULT_PATH)
    assert settings.enabled and settings.requests_per_step >= gate.min_requests
    assert gate.min_eval_score is not None
