"""Per-suite summary: means with bootstrap CIs, corpus metrics, n, errors, latency, usage."""

from __future__ import annotations

from typing import Any

from eval.runner import Row
from eval.stats import is_finite, mean_ci
from eval.suites import Scores


def metric_values(rows: list[Row]) -> dict[str, dict[str, float]]:
    """metric -> {item_id: value} over rows without errors (errored rows have no scores)."""
    values: dict[str, dict[str, float]] = {}
    for row in rows:
        if row.error is not None:
            continue
        for name, value in row.metrics.items():
            if is_finite(value):
                values.setdefault(name, {})[row.item_id] = float(value)
    return values


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _usage(rows: list[Row]) -> dict[str, int]:
    total = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for row in rows:
        usage = (row.output or {}).get("usage") or {}
        for key in total:
            value = usage.get(key)
            total[key] += int(value) if isinstance(value, int) else 0
    return total


def summarize_suite(
    rows: list[Row],
    scores: Scores,
    min_items: int,
    confidence: float,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """The summary.json section of one suite."""
    n_errors = sum(1 for r in rows if r.error is not None)
    metrics: dict[str, Any] = {}
    for name, by_item in sorted(metric_values(rows).items()):
        interval = mean_ci(list(by_item.values()), confidence, resamples, seed)
        metrics[name] = {
            "mean": interval.mean,
            "ci_low": interval.low,
            "ci_high": interval.high,
            "n": interval.n,
        }
    latencies = [r.latency_ms for r in rows if r.error is None and not r.cached]
    return {
        "n_declared": min_items,
        "n_items": len(rows),
        "n_scored": len(rows) - n_errors,
        "n_errors": n_errors,
        "error_rate": n_errors / len(rows) if rows else 1.0,
        "errors": [{"item_id": r.item_id, "error": r.error} for r in rows if r.error][:20],
        "metrics": metrics,
        "corpus": {k: v for k, v in scores.corpus.items() if is_finite(v)},
        "details": scores.details,
        "signatures": scores.signatures,
        "latency_ms": {
            "p50": _percentile(latencies, 0.5),
            "p95": _percentile(latencies, 0.95),
            "measured": len(latencies),
        },
        "cached_items": sum(1 for r in rows if r.cached),
        "app_usage": _usage(rows),
        "prompt_versions": sorted(
            {
                f"{(r.output or {}).get('prompt_id')}@{(r.output or {}).get('prompt_version')}"
                for r in rows
                if r.output
            }
        ),
        "models": sorted({str((r.output or {}).get("model")) for r in rows if r.output}),
    }


def metric_value(summary: dict[str, Any], name: str) -> float | None:
    """A metric's headline value: the item mean, else the corpus value, else None (missing)."""
    item = summary.get("metrics", {}).get(name)
    if item and item.get("n", 0) > 0 and is_finite(item.get("mean")):
        return float(item["mean"])
    corpus = summary.get("corpus", {}).get(name)
    return float(corpus) if is_finite(corpus) else None
