"""The rollout loop: start a canary at 0 %, walk the traffic steps through the gate, roll back.

Everything Azure-specific sits behind ``Platform`` (``deploy.azure.AzureContainerApp``); the
clock and sleep are injected, so the loop runs in milliseconds in tests and against a local
ingress in rehearsals. State lives in a JSON file so a later workflow step (the rollback that
runs on failure, cancel or timeout) knows which revisions are involved.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from deploy.config import RolloutConfig
from deploy.gate import Action, GateConfig, RevisionMetrics, decide
from deploy.synthetic import SyntheticLoad


class Platform(Protocol):
    def stable_revision(self) -> str: ...
    def set_weights(self, weights: Mapping[str, int]) -> None: ...
    def create_revision(self, image: str, suffix: str) -> str: ...
    def revision_state(self, revision: str) -> tuple[str, str]: ...
    def label(self, label: str, revision: str) -> None: ...
    def deactivate(self, revision: str) -> None: ...
    def label_url(self, label: str) -> str: ...
    def metrics(
        self,
        stable: str,
        canary: str,
        canary_since: datetime,
        baseline_minutes: int,
        now: datetime,
    ) -> tuple[RevisionMetrics, RevisionMetrics]: ...


class RolloutError(RuntimeError):
    """The rollout cannot go on; the message is one line for the job log."""


@dataclass
class State:
    stable: str
    canary: str
    phase: str = "created"  # created | ready | rolling | promoted | rolled_back
    weight: int = 0
    history: list[dict[str, object]] = field(default_factory=list)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> State | None:
        if not path.is_file():
            return None
        return cls(**json.loads(path.read_text(encoding="utf-8")))


Clock = Callable[[], float]
Sleep = Callable[[float], None]
Log = Callable[[str], None]


def start(
    platform: Platform,
    image: str,
    suffix: str,
    state_path: Path,
    rollout: RolloutConfig,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    log: Log = print,
) -> State:
    """Pin traffic to the stable revision, create the canary at 0 % and wait until it is ready."""
    stable = platform.stable_revision()
    platform.set_weights({stable: 100})  # replaces a "latest" entry: the canary gets 0 %
    canary = platform.create_revision(image, suffix)
    if canary == stable:
        raise RolloutError(f"revision {canary} already serves: nothing new to roll out")
    state = State(stable=stable, canary=canary)
    state.save(state_path)
    log(f"stable {stable} pinned at 100 %, canary {canary} created at 0 %")

    deadline = clock() + rollout.ready_timeout_seconds
    while True:
        health, running = platform.revision_state(canary)
        if health == "Healthy" and running.startswith("Running"):
            break
        if running == "Failed" or clock() >= deadline:
            raise RolloutError(f"canary {canary} not ready: health={health!r} running={running!r}")
        sleep(min(10.0, rollout.poll_seconds))
    platform.label("canary", canary)
    platform.label("stable", stable)
    state.phase = "ready"
    state.save(state_path)
    log(f"canary {canary} is healthy and labelled 'canary'")
    return state


def rollout(
    platform: Platform,
    state_path: Path,
    rollout_config: RolloutConfig,
    gate_config: GateConfig,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    log: Log = print,
    load: SyntheticLoad | None = None,
) -> State:
    """Walk the traffic steps; promote when every gate passes, roll back at the first failure.

    With ``load``, each step also sends its bounded synthetic traffic to the canary's label
    URL, a batch per poll, so a quiet app's canary has requests and eval scores to be judged
    by; the gate still reads only the canary's own telemetry rows.
    """
    state = State.load(state_path)
    if state is None or state.phase not in ("ready", "rolling"):
        phase = state.phase if state else "none"
        raise RolloutError(f"no canary ready to roll out (state: {phase}); run canary-start first")
    state.phase = "rolling"
    for weight in rollout_config.steps:
        platform.set_weights(_weights(state, weight))
        state.weight = weight
        state.save(state_path)
        log(f"step {weight} %: {state.canary} at {weight} %, {state.stable} at {100 - weight} %")
        started, since = clock(), now()
        if load is not None:
            load.start_step()
        while True:
            synthetic = load.tick() if load is not None else 0
            sleep(rollout_config.poll_seconds)
            elapsed = clock() - started
            stable_m, canary_m = platform.metrics(
                state.stable,
                state.canary,
                since,
                rollout_config.baseline_minutes,
                now(),
            )
            decision = decide(
                stable_m,
                canary_m,
                elapsed_s=elapsed,
                min_bake_s=rollout_config.min_bake_seconds,
                max_wait_s=rollout_config.max_wait_seconds,
                config=gate_config,
            )
            state.history.append(
                {
                    "weight": weight,
                    "elapsed_s": round(elapsed, 1),
                    "action": decision.action.value,
                    "reasons": list(decision.reasons),
                    "synthetic_sent": synthetic,
                    "synthetic_total": dict(load.total) if load is not None else None,
                    "stable": asdict(stable_m),
                    "canary": asdict(canary_m),
                }
            )
            state.save(state_path)
            log(f"  {elapsed:6.0f}s {decision.action.value}: {'; '.join(decision.reasons)}")
            if load is not None and synthetic and load.total["failed"] == load.total["sent"]:
                log(
                    f"  synthetic load: none of {load.total['sent']} requests to {load.url} answered"
                )
            if decision.action is Action.ROLLBACK:
                rollback(platform, state_path, log=log)
                raise RolloutError(
                    f"canary {state.canary} rolled back at {weight} %: {'; '.join(decision.reasons)}"
                )
            if decision.action is Action.PROMOTE:
                break
    platform.label("stable", state.canary)
    if rollout_config.deactivate_previous:
        platform.deactivate(state.stable)
    state.phase = "promoted"
    state.save(state_path)
    log(f"promoted {state.canary} to 100 %; previous stable {state.stable} retired")
    return state


def rollback(platform: Platform, state_path: Path, *, log: Log = print) -> State | None:
    """Traffic back to stable, canary deactivated. Idempotent; a promoted rollout is left alone."""
    state = State.load(state_path)
    if state is None:
        log("no canary was created: nothing to roll back")
        return None
    if state.phase == "promoted":
        log(f"{state.canary} was already promoted: not rolling back (use the rollback workflow)")
        return state
    if state.phase != "rolled_back":
        platform.set_weights({state.stable: 100, state.canary: 0})
        platform.deactivate(state.canary)
        state.phase, state.weight = "rolled_back", 0
        state.save(state_path)
    log(f"rolled back: {state.stable} at 100 %, {state.canary} deactivated")
    return state


def _weights(state: State, weight: int) -> dict[str, int]:
    return {state.stable: 100 - weight, state.canary: weight}


def summary_markdown(state: State) -> str:
    """The decision log as a Markdown table for $GITHUB_STEP_SUMMARY."""
    lines = [
        f"### Canary `{state.canary}` vs stable `{state.stable}`: **{state.phase}**",
        "",
        "| step | after | decision | canary requests | synthetic sent | error rate | p95 ms "
        "| eval | why |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for entry in state.history:
        canary = entry["canary"]
        assert isinstance(canary, dict)
        requests = int(canary["requests"])
        rate = f"{canary['failures'] / requests:.1%}" if requests else "-"
        p95 = "-" if canary["p95_ms"] is None else f"{canary['p95_ms']:.0f}"
        score = "-" if canary["eval_score"] is None else f"{canary['eval_score']:.3f}"
        reasons = "; ".join(str(r) for r in entry["reasons"])  # type: ignore[attr-defined]
        lines.append(
            f"| {entry['weight']} % | {entry['elapsed_s']} s | {entry['action']} | {requests} "
            f"| {entry.get('synthetic_sent', 0)} | {rate} | {p95} | {score} | {reasons} |"
        )
    return "\n".join(lines) + "\n"
