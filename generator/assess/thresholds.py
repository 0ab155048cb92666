"""Numeric thresholds from eval configs and command lines, and whether they can ever fail.

A minimum of 0 (or below) can never fail, so it does not count; neither does a string, a null or
an infinite value. Maximums (error rates, regressions, latency budgets) are kept as context.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_MIN_WORDS = re.compile(r"min|threshold|fail_under|fail-under|floor|lower|at_least|pass", re.I)
_MAX_WORDS = re.compile(
    r"max|tolerance|regression|error|latency|cost|budget|upper|ceiling|drop|delta|p95|p99", re.I
)
_META_WORDS = re.compile(
    r"^(n|n_min|min_n|min_records|min_items|samples?|seed|version|k|top_k|"
    r"confidence|alpha|bootstrap.*|iterations?|resamples?|concurrency|timeout.*|"
    r"retries|batch.*|workers|limit)$",
    re.I,
)
_CLI = re.compile(
    r"^--?(fail[-_]under|threshold|min[-_][\w-]+|[\w-]+[-_]threshold|min[-_]?score)(?:=(.+))?$",
    re.I,
)


@dataclass(frozen=True)
class Threshold:
    key: str  # dotted path or CLI flag
    value: float
    kind: str  # "min" | "max"
    source: str  # file or "command line"

    @property
    def trivial(self) -> bool:
        if not math.isfinite(self.value):
            return True
        return self.kind == "min" and self.value <= 0


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


def from_config(data: Any, source: str) -> list[Threshold]:
    """Walk a parsed YAML/JSON/TOML config for numeric thresholds (bounded depth and size)."""
    out: list[Threshold] = []
    budget = [5000]

    def walk(node: Any, path: list[str], in_thresholds: bool, depth: int) -> None:
        budget[0] -= 1
        if depth > 12 or budget[0] < 0:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                k = str(key)
                walk(
                    value,
                    [*path, k],
                    in_thresholds
                    or bool(re.search(r"threshold|gate|metric|assert|floor", k, re.I)),
                    depth + 1,
                )
        elif isinstance(node, list):
            for i, value in enumerate(node[:500]):
                walk(value, [*path, str(i)], in_thresholds, depth + 1)
        else:
            value = _num(node)
            if value is None or not path:
                return
            key = path[-1]
            name = ".".join(path)
            if _META_WORDS.match(key):
                return
            if _MAX_WORDS.search(key):
                out.append(Threshold(name, value, "max", source))
            elif _MIN_WORDS.search(key) or in_thresholds:
                out.append(Threshold(name, value, "min", source))

    walk(data, [], False, 0)
    return out


def from_argv(argv: tuple[str, ...] | list[str]) -> list[Threshold]:
    out: list[Threshold] = []
    for i, arg in enumerate(argv):
        m = _CLI.match(arg)
        if not m:
            continue
        raw = m.group(2) if m.group(2) is not None else (argv[i + 1] if i + 1 < len(argv) else None)
        value = _num(raw)
        if value is not None:
            out.append(Threshold(arg.split("=", 1)[0], value, "min", "command line"))
    return out
