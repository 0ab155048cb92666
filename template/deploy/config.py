"""Load deploy/canary.toml into typed settings; bad values are one-line errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from deploy.gate import GateConfig

DEFAULT_PATH = Path(__file__).with_name("canary.toml")


class ConfigError(ValueError):
    """The rollout configuration is unusable; the message says which key and why."""


@dataclass(frozen=True)
class RolloutConfig:
    steps: tuple[int, ...] = (10, 50, 100)
    min_bake_seconds: float = 300.0
    max_wait_seconds: float = 1200.0
    poll_seconds: float = 60.0
    baseline_minutes: int = 60
    ready_timeout_seconds: float = 600.0
    deactivate_previous: bool = True


def load(path: Path = DEFAULT_PATH) -> tuple[RolloutConfig, GateConfig]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"rollout", "gate", "synthetic"}  # [synthetic]: deploy/synthetic.py
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {sorted(unknown)}")
    rollout = _build(RolloutConfig, data.get("rollout", {}), f"{path} [rollout]")
    gate = _build(GateConfig, data.get("gate", {}), f"{path} [gate]")
    _check(rollout, gate, path)
    return rollout, gate


def _build(cls: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    converted: dict[str, Any] = {}
    for key, value in values.items():
        default = getattr(cls(), key)
        if key == "steps":
            if not isinstance(value, list) or not all(type(v) is int for v in value):
                raise ConfigError(f"{where}: steps must be a list of integers")
            converted[key] = tuple(value)
        elif isinstance(default, bool) or (default is None and isinstance(value, bool)):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: {key} must be true or false")
            converted[key] = value
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: {key} must be a number")
        elif isinstance(default, int) and not isinstance(value, int):
            raise ConfigError(f"{where}: {key} must be a whole number")
        else:
            converted[key] = value if isinstance(default, int) else float(value)
    return cls(**converted)


def _check(rollout: RolloutConfig, gate: GateConfig, path: Path) -> None:
    steps = rollout.steps
    if not steps or steps[-1] != 100:
        raise ConfigError(f"{path}: rollout steps must end at 100 (got {list(steps)})")
    if any(not 0 < s <= 100 for s in steps) or list(steps) != sorted(set(steps)):
        raise ConfigError(f"{path}: rollout steps must rise strictly within 1..100")
    if rollout.poll_seconds <= 0 or rollout.max_wait_seconds < rollout.min_bake_seconds:
        raise ConfigError(f"{path}: need poll_seconds > 0 and max_wait >= min_bake")
    if gate.min_requests < 1:
        raise ConfigError(f"{path}: gate min_requests must be at least 1")
    if not 0 <= gate.max_error_rate < 1 or not 0 <= gate.max_eval_drop < 1:
        raise ConfigError(f"{path}: rates must lie in [0, 1)")
