"""Run suites against a target with bounded concurrency, a response cache and per-item errors.

An item that raises or times out is kept as an errored row (never dropped), so the gate can
count it; the eval as a whole only stops on a usage error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from eval.cache import ResponseCache, cache_key
from eval.judge import JudgeClient, JudgeError, Rubric
from eval.suites import Scores
from eval.targets import Target


@dataclass
class Row:
    """One item of one suite: what was asked, what came back, its scores or its error."""

    suite: str
    item_id: str
    output: dict[str, Any] | None = None
    error: str | None = None
    latency_ms: float = 0.0
    cached: bool = False
    # the error says the model or the app could not be reached, not that it refused the item
    unavailable: bool = False
    metrics: dict[str, float] = field(default_factory=dict)
    judge: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


UNAVAILABLE = frozenset(
    {
        "ProviderError",  # the app's wrapper around a failed model call
        "APIConnectionError",
        "APITimeoutError",
        "AuthenticationError",
        "PermissionDeniedError",
        "ConnectError",
        "ConnectTimeout",
        "ReadTimeout",
        "RemoteProtocolError",
        "TimeoutError",
    }
)
UNAVAILABLE_STATUS = frozenset({401, 403, 502, 503, 504})


def is_unavailable(exc: BaseException) -> bool:
    """Infrastructure, not quality: the endpoint is down, refuses our identity, or timed out."""
    if type(exc).__name__ in UNAVAILABLE or isinstance(exc, asyncio.TimeoutError):
        return True
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) in UNAVAILABLE_STATUS


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return "TimeoutError: no response within the time limit"
    return f"{type(exc).__name__}: {exc}".strip()[:500]


async def bounded(jobs: list[Callable[[], Awaitable[None]]], concurrency: int) -> None:
    """Run ``jobs`` with at most ``concurrency`` in flight (1 means sequential)."""
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def guarded(job: Callable[[], Awaitable[None]]) -> None:
        async with semaphore:
            await job()

    await asyncio.gather(*(guarded(job) for job in jobs))


async def call_items(
    suite: Any,
    target: Target,
    records: list[dict[str, Any]],
    cache: ResponseCache,
    concurrency: int,
    timeout_s: float,
    then: Callable[[Row, dict[str, Any]], Awaitable[None]] | None = None,
) -> list[Row]:
    """Ask the target for every record; cached responses are reused when the target allows.

    ``then`` (the judges) runs for each answered item inside the same slot, so model calls
    of the judge overlap with the app's calls for other items instead of waiting for all.
    """
    rows = [Row(suite=suite.name, item_id=str(r["id"])) for r in records]
    identity = target.identity()

    async def one(row: Row, record: dict[str, Any]) -> None:
        key = cache_key(
            target=identity, suite=suite.name, k=getattr(suite, "k", None), input=record
        )
        if target.cacheable:
            hit = cache.get(key, "app")
            if hit is not None:
                row.output, row.latency_ms, row.cached = hit["output"], hit["latency_ms"], True
        if not row.cached:
            started = time.perf_counter()
            try:
                row.output = await asyncio.wait_for(suite.call(target, record), timeout_s)
            except Exception as exc:  # any failure of the app is a row error, not a crash
                row.error = describe_error(exc)
                row.unavailable = is_unavailable(exc)
            row.latency_ms = round((time.perf_counter() - started) * 1000.0, 3)
            if row.output is not None and target.cacheable:
                cache.put(key, "app", {"output": row.output, "latency_ms": row.latency_ms})
        if then is not None and row.output is not None and row.error is None:
            await then(row, record)

    await bounded(
        [lambda r=row, rec=rec: one(r, rec) for row, rec in zip(rows, records, strict=True)],
        concurrency,
    )
    return rows


def judge_row(
    suite: Any, judge: JudgeClient, rubrics: list[Rubric]
) -> Callable[[Row, dict[str, Any]], Awaitable[None]]:
    """A ``then`` step for :func:`call_items`: add ``<judge>`` (1-5) and ``<judge>_pass`` (0/1)."""

    async def one(row: Row, record: dict[str, Any], rubric: Rubric) -> None:
        assert row.output is not None
        try:
            verdict = await judge.judge(rubric, suite.judge_inputs(record, row.output))
        except JudgeError as exc:
            row.error = row.error or f"judge {rubric.name}: {exc}"
            return
        row.judge[rubric.name] = verdict
        row.metrics[rubric.name] = float(verdict["score"])
        row.metrics[f"{rubric.name}_pass"] = float(verdict["passed"])

    async def all_rubrics(row: Row, record: dict[str, Any]) -> None:
        await asyncio.gather(*(one(row, record, rubric) for rubric in rubrics))

    return all_rubrics


def apply_scores(rows: list[Row], scores: Scores) -> None:
    for row in rows:
        row.metrics.update(scores.per_item.get(row.item_id, {}))
