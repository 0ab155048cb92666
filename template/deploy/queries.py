"""The KQL the canary gate and the monitor run, and how their answers become numbers.

Every table and column used here is one the app's telemetry fills (``src/<package>/telemetry.py``):
``requests`` from the SERVER span of each HTTP request (RequestData), ``customEvents`` from the
``gen_ai.evaluation.result`` and ``feedback`` events (EventData); ``application_Version`` is the
revision (``service.version``). docs/eval.md has the envelope -> table/column mapping and its
sources; the app's telemetry test checks it against the envelopes the real exporter sends.
Queries use the classic table names ``az monitor app-insights query`` answers with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from deploy.azure import AzureError, check_revision
from deploy.gate import RevisionMetrics

EVALUATION_EVENT = "gen_ai.evaluation.result"
EVALUATION_SCORE = "gen_ai.evaluation.score.value"


def gate_query(stable: str, canary: str, canary_since: datetime, baseline_minutes: int) -> str:
    """KQL over classic App Insights tables; revisions are validated names, never raw input."""
    since = canary_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "\n".join(
        [
            f'let stable_rev = "{check_revision(stable)}";',
            f'let canary_rev = "{check_revision(canary)}";',
            f"let canary_since = datetime({since});",
            f"let stable_since = ago({int(baseline_minutes)}m);",
            "let in_window = (v: string, t: datetime) {",
            "    (v == canary_rev and t >= canary_since) or (v == stable_rev and t >= stable_since)",
            "};",
            "let req = requests",
            "| where in_window(application_Version, timestamp)",
            # itemCount: how many requests a sampled row stands for (1 when not sampled)
            "| summarize requests = sum(itemCount), failures = sumif(itemCount, success == false),",
            "    p95_ms = percentile(duration, 95) by revision = application_Version;",
            "let evals = customEvents",
            f'| where name == "{EVALUATION_EVENT}"',
            "| where in_window(application_Version, timestamp)",
            f'| summarize eval_score = avg(todouble(customDimensions["{EVALUATION_SCORE}"]))',
            "    by revision = application_Version;",
            "req",
            "| join kind=leftouter evals on revision",
            "| project revision, requests, failures, p95_ms, eval_score",
        ]
    )


def parse_table(output: str, key: str = "revision") -> dict[str, dict[str, Any]]:
    """``az monitor app-insights query -o json`` → {row[key]: {column: value}}."""
    try:
        tables = json.loads(output)["tables"]
        table = tables[0]
        names = [c["name"] for c in table["columns"]]
    except (ValueError, KeyError, IndexError, TypeError):
        raise AzureError(f"unexpected App Insights answer: {output[:200]!r}") from None
    result: dict[str, dict[str, Any]] = {}
    for row in table.get("rows", []):
        record = dict(zip(names, row, strict=False))
        result[str(record.get(key))] = record
    return result


def to_metrics(revision: str, row: Mapping[str, Any] | None, *, healthy: bool) -> RevisionMetrics:
    if not row:
        return RevisionMetrics(revision, 0, 0, None, None, healthy)

    def number(key: str) -> float | None:
        value = row.get(key)
        return None if value in (None, "") else float(value)

    return RevisionMetrics(
        revision=revision,
        requests=int(row.get("requests") or 0),
        failures=int(row.get("failures") or 0),
        p95_ms=number("p95_ms"),
        eval_score=number("eval_score"),
        healthy=healthy,
    )


def monitor_query(
    current_hours: int, baseline_days: int, feedback_event: str, positive_rating: float
) -> str:
    """The last ``current_hours`` against the ``baseline_days`` before, for the monitor."""
    hours, days = int(current_hours), int(baseline_days)
    event = feedback_event.replace('"', "")
    return "\n".join(
        [
            f"let current_start = ago({hours}h);",
            f"let baseline_start = ago({hours}h + {days}d);",
            "let period_of = (t: datetime) { iff(t >= current_start, 'current', 'baseline') };",
            "let req = requests | where timestamp >= baseline_start",
            "| summarize requests = sum(itemCount), failures = sumif(itemCount, success == false),",
            "    p95_ms = percentile(duration, 95) by period = period_of(timestamp);",
            "let evals = customEvents | where timestamp >= baseline_start",
            f'| where name == "{EVALUATION_EVENT}"',
            f'| summarize eval_score = avg(todouble(customDimensions["{EVALUATION_SCORE}"]))',
            "    by period = period_of(timestamp);",
            "let feedback = customEvents | where timestamp >= baseline_start",
            f'| where name == "{event}"',
            '| summarize positive_rate = avg(iff(todouble(customDimensions["rating"]) >= '
            f"{float(positive_rating):g}, 1.0, 0.0))",
            "    by period = period_of(timestamp);",
            "req",
            "| join kind=leftouter evals on period",
            "| join kind=leftouter feedback on period",
            "| project period, requests, failures, p95_ms, eval_score, positive_rate",
        ]
    )
