"""The KQL the canary gate and the monitor run, and how their answers become numbers.

Every table and column used here is one the app's telemetry fills (``src/<package>/telemetry.py``):
``requests`` from the SERVER span of each HTTP request (RequestData), ``customEvents`` from the
``gen_ai.evaluation.result`` and ``feedback`` events (EventData); ``application_Version`` is the
revision (``service.version``). docs/eval.md has the envelope -> table/column mapping and its
sources; the app's telemetry test checks it against the envelopes the real exporter sends.
Queries use the classic table names ``az monitor app-insights query`` answers with.

``SIGNALS`` are the production signals the alert rules and the workbook in ``infra/`` run:
``infra/monitoring/<name>.kql`` is each one's text, loaded by Bicep (``loadTextContent``) and
Terraform (``file``). This module is their one source: ``python -m deploy.queries write
infra/monitoring`` rewrites the files, ``check`` fails when they differ (a test runs it too).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deploy.azure import AzureError, check_revision
from deploy.gate import RevisionMetrics

EVALUATION_EVENT = "gen_ai.evaluation.result"
EVALUATION_SCORE = "gen_ai.evaluation.score.value"
#: the app's feedback event (telemetry.FEEDBACK_EVENT; deploy/monitor.toml feedback_event)
FEEDBACK_EVENT = "feedback"
#: a rating (1-5) at or above this is positive (deploy/monitor.toml positive_rating)
POSITIVE_RATING = 4


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


# -- the production signals: alert rules and workbook (infra/monitoring/*.kql) -----------------


@dataclass(frozen=True)
class Signal:
    """One query the IaC deploys: what it measures, the column an alert rule reads
    (``metricMeasureColumn``; empty for a workbook-only chart) and whether rows are per revision
    (an alert dimension on ``application_Version``)."""

    name: str
    about: str
    kql: str
    measure: str
    by_revision: bool

    def text(self) -> str:
        """The .kql file: a header naming this module, then the query."""
        header = [
            f"// {self.about}",
            "// Generated from deploy/queries.py SIGNALS: edit there, then",
        ]
        header.append("// `python -m deploy.queries write infra/monitoring`.")
        return "\n".join(header) + "\n" + self.kql + "\n"


# requests: one row per SERVER span (RequestData; /health and /ready are not traced); itemCount is
# how many requests a sampled row stands for. Client errors (guardrail blocks, auth refusals) are
# the caller's and left out of the error rate; the canary gate counts every failure.
_PER_REVISION_5M = "by bin(timestamp, 5m), application_Version"
_MIN_REQUESTS = 10  # a 5-minute bin with fewer requests says nothing about a rate or a p95
_SCORE = f'todouble(customDimensions["{EVALUATION_SCORE}"])'

SIGNALS: tuple[Signal, ...] = (
    Signal(
        "error_rate",
        "Server errors (HTTP 5xx) as a share of requests, per revision and 5 minutes.",
        "\n".join(
            [
                "requests",
                "| summarize requests = sum(itemCount), "
                "server_errors = sumif(itemCount, toint(resultCode) >= 500)",
                f"    {_PER_REVISION_5M}",
                f"| where requests >= {_MIN_REQUESTS}",
                "| extend error_rate = todouble(server_errors) / todouble(requests)",
                "| project timestamp, application_Version, error_rate",
            ]
        ),
        "error_rate",
        True,
    ),
    Signal(
        "latency_p95",
        "95th percentile of request duration (ms), per revision and 5 minutes.",
        "\n".join(
            [
                "requests",
                "| summarize requests = sum(itemCount), p95_ms = percentile(duration, 95)",
                f"    {_PER_REVISION_5M}",
                f"| where requests >= {_MIN_REQUESTS}",
                "| project timestamp, application_Version, p95_ms",
            ]
        ),
        "p95_ms",
        True,
    ),
    Signal(
        "token_spend",
        "Model tokens (prompt + completion) per hour and revision, from the model-call spans.",
        "\n".join(
            [
                "dependencies",
                '| where isnotempty(customDimensions["gen_ai.usage.input_tokens"])',
                '| extend call_tokens = tolong(customDimensions["gen_ai.usage.input_tokens"]) + '
                'tolong(customDimensions["gen_ai.usage.output_tokens"])',
                "| summarize tokens = sum(call_tokens * itemCount) "
                "by bin(timestamp, 1h), application_Version",
                "| project timestamp, application_Version, tokens",
            ]
        ),
        "tokens",
        False,
    ),
    Signal(
        "eval_score",
        f"The online eval score ({EVALUATION_EVENT} events, 0..1), per revision and hour.",
        "\n".join(
            [
                "customEvents",
                f'| where name == "{EVALUATION_EVENT}"',
                f"| extend score = {_SCORE}",
                "| summarize eval_score = avg(score) by bin(timestamp, 1h), application_Version",
                "| project timestamp, application_Version, eval_score",
            ]
        ),
        "",
        True,
    ),
    Signal(
        "eval_drift",
        "Online eval score of the last hour against the day before it, as the drop; needs 10 "
        "scores now and 30 before, so a quiet hour does not alert.",
        "\n".join(
            [
                "customEvents",
                f'| where name == "{EVALUATION_EVENT}"',
                f"| extend score = {_SCORE}, recent = timestamp > ago(1h)",
                "| summarize current = avgif(score, recent), baseline = avgif(score, not(recent)), "
                "current_n = countif(recent), baseline_n = countif(not(recent))",
                "| where current_n >= 10 and baseline_n >= 30",
                "| extend drop = baseline - current",
                "| project drop",
            ]
        ),
        "drop",
        False,
    ),
    Signal(
        "feedback_score",
        f"Share of ratings >= {POSITIVE_RATING} (of 1..5) per revision and hour, from the "
        "feedback events; hours with fewer than 5 ratings are left out.",
        "\n".join(
            [
                "customEvents",
                f'| where name == "{FEEDBACK_EVENT}"',
                '| extend rating = todouble(customDimensions["rating"])',
                "| summarize ratings = count(), "
                f"positive_rate = avg(iff(rating >= {POSITIVE_RATING}, 1.0, 0.0))",
                "    by bin(timestamp, 1h), application_Version",
                "| where ratings >= 5",
                "| project timestamp, application_Version, positive_rate",
            ]
        ),
        "positive_rate",
        True,
    ),
    Signal(
        "availability",
        "Availability (%) of GET /ready from Azure's probe locations, per location and 5 "
        "minutes: rows from the availability test, not from the app (its alert is a metric alert).",
        "\n".join(
            [
                "availabilityResults",
                "| summarize availability = 100.0 * countif(success == 1) / count() "
                "by bin(timestamp, 5m), location",
                "| project timestamp, location, availability",
            ]
        ),
        "",
        False,
    ),
)


def signal(name: str) -> Signal:
    for item in SIGNALS:
        if item.name == name:
            return item
    raise KeyError(f"no signal {name!r} (known: {[s.name for s in SIGNALS]})")


def differences(directory: Path) -> list[str]:
    """What differs between ``directory`` (infra/monitoring) and SIGNALS, as sentences."""
    found = []
    expected = {f"{s.name}.kql": s.text() for s in SIGNALS}
    present = {p.name for p in directory.glob("*.kql")} if directory.is_dir() else set()
    for name, text in sorted(expected.items()):
        path = directory / name
        if not path.is_file():
            found.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            found.append(f"{path}: differs from deploy/queries.py")
    found += [
        f"{directory / n}: not a signal in deploy/queries.py"
        for n in sorted(present - set(expected))
    ]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in ("write", "check"):
        print("usage: python -m deploy.queries write|check DIR (infra/monitoring)", file=sys.stderr)
        return 2
    directory = Path(args[1])
    if args[0] == "write":
        directory.mkdir(parents=True, exist_ok=True)
        for item in SIGNALS:
            (directory / f"{item.name}.kql").write_text(item.text(), encoding="utf-8")
        print(f"wrote {len(SIGNALS)} queries to {directory}")
        return 0
    problems = differences(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
