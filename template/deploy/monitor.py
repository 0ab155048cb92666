"""Scheduled production checks: quality and drift of the last day against the days before.

``check`` reads App Insights (through ``az``, like the canary gate), compares the current
window with the baseline window, optionally runs the online eval command, writes
reports/monitor.{json,md} and exits 1 on a regression. ``issue`` opens or updates one GitHub
issue with that report (through ``gh``). Both build argument lists, never shell strings.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from deploy.azure import AzureError, appinsights_query, run_az
from deploy.queries import monitor_query as kql_of_monitor
from deploy.queries import parse_table

DEFAULT_CONFIG = Path(__file__).with_name("monitor.toml")
LABEL = "monitor-regression"
Runner = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class MonitorConfig:
    current_hours: int = 24
    baseline_days: int = 7
    min_requests: int = 100
    max_error_rate_increase: float = 0.01
    max_p95_increase: float = 0.25
    max_eval_drop: float = 0.05
    max_feedback_drop: float = 0.10
    max_traffic_change: float = 0.8
    feedback_event: str = "feedback"
    positive_rating: float = 4.0  # a rating (1-5) at or above this counts as positive


@dataclass(frozen=True)
class Period:
    requests: int = 0
    failures: int = 0
    p95_ms: float | None = None
    eval_score: float | None = None
    positive_rate: float | None = None

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def load_config(path: Path = DEFAULT_CONFIG) -> MonitorConfig:
    data = tomllib.loads(path.read_text(encoding="utf-8")).get("monitor", {})
    known = {f.name: f for f in fields(MonitorConfig)}
    unknown = set(data) - set(known)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}")
    for key, value in data.items():
        default = getattr(MonitorConfig(), key)
        if type(value) is not type(default) and not (
            isinstance(default, float) and type(value) is int
        ):
            raise ValueError(f"{path}: {key} must be a {type(default).__name__}")
    return MonitorConfig(**data)


def assess(current: Period, baseline: Period, config: MonitorConfig) -> list[str]:
    """Regressions of the current window against the baseline (empty: all good)."""
    found: list[str] = []
    if current.requests < config.min_requests:
        found.append(
            f"not enough traffic to judge: {current.requests} requests (need {config.min_requests})"
        )
        return found
    if current.error_rate > baseline.error_rate + config.max_error_rate_increase:
        found.append(f"failure rate {current.error_rate:.2%} vs baseline {baseline.error_rate:.2%}")
    if current.p95_ms and baseline.p95_ms:
        rise = current.p95_ms / baseline.p95_ms - 1
        if rise > config.max_p95_increase:
            found.append(
                f"p95 latency {current.p95_ms:.0f} ms is {rise:.0%} above "
                f"baseline {baseline.p95_ms:.0f} ms"
            )
    for name, now, before, limit in (
        (
            "online eval score",
            current.eval_score,
            baseline.eval_score,
            config.max_eval_drop,
        ),
        (
            "positive feedback",
            current.positive_rate,
            baseline.positive_rate,
            config.max_feedback_drop,
        ),
    ):
        if now is not None and before:
            drop = (before - now) / before
            if drop > limit:
                found.append(f"{name} {now:.3f} is {drop:.0%} below baseline {before:.3f}")
    if baseline.requests:
        per_day_before = baseline.requests / config.baseline_days
        per_day_now = current.requests * 24 / config.current_hours
        change = per_day_now / per_day_before - 1
        if abs(change) > config.max_traffic_change:
            found.append(
                f"usage drift: {per_day_now:.0f} requests/day vs {per_day_before:.0f} "
                f"({change:+.0%})"
            )
    return found


def monitor_query(config: MonitorConfig) -> str:
    return kql_of_monitor(
        config.current_hours, config.baseline_days, config.feedback_event, config.positive_rating
    )


def query_command(app: str, resource_group: str, config: MonitorConfig) -> list[str]:
    minutes = (config.current_hours + 24 * config.baseline_days) * 60 + 5
    return appinsights_query(app, resource_group, monitor_query(config), minutes)


def to_period(row: Mapping[str, Any] | None) -> Period:
    if not row:
        return Period()

    def number(key: str) -> float | None:
        value = row.get(key)
        return None if value in (None, "") else float(value)

    return Period(
        requests=int(row.get("requests") or 0),
        failures=int(row.get("failures") or 0),
        p95_ms=number("p95_ms"),
        eval_score=number("eval_score"),
        positive_rate=number("positive_rate"),
    )


def render(current: Period, baseline: Period, findings: list[str], eval_line: str) -> str:
    status = "regression" if findings else "ok"
    lines = [
        f"## Production monitor: {status}",
        "",
        "| metric | current | baseline |",
        "|---|---:|---:|",
        f"| requests | {current.requests} | {baseline.requests} |",
        f"| failure rate | {current.error_rate:.2%} | {baseline.error_rate:.2%} |",
    ]
    for name, key in (
        ("p95 ms", "p95_ms"),
        ("eval score", "eval_score"),
        ("positive feedback", "positive_rate"),
    ):
        now, before = getattr(current, key), getattr(baseline, key)
        lines.append(f"| {name} | {_fmt(now)} | {_fmt(before)} |")
    lines += ["", f"Online eval: {eval_line}", ""]
    lines += [f"- {f}" for f in findings] or ["No regression found."]
    return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}" if value < 10 else f"{value:.0f}"


def check(
    config: MonitorConfig,
    report_dir: Path,
    eval_command: Sequence[str] | None,
    runner: Runner = run_az,
) -> int:
    app = os.environ.get("AZURE_APPINSIGHTS_NAME", "")
    group = os.environ.get("AZURE_RESOURCE_GROUP", "")
    if not app or not group:
        raise ValueError("set AZURE_APPINSIGHTS_NAME and AZURE_RESOURCE_GROUP")
    rows = parse_table(runner(query_command(app, group, config)), key="period")
    current, baseline = to_period(rows.get("current")), to_period(rows.get("baseline"))
    findings = assess(current, baseline, config)
    eval_line = "not run"
    if eval_command:
        proc = subprocess.run(list(eval_command), check=False)
        eval_line = "passed" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        if proc.returncode != 0:
            findings.append(f"online eval failed: {shlex.join(eval_command)}")
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "monitor.json").write_text(
        json.dumps(
            {
                "current": asdict(current),
                "baseline": asdict(baseline),
                "findings": findings,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    markdown = render(current, baseline, findings, eval_line)
    (report_dir / "monitor.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 1 if findings else 0


def issue_commands(repo: str, report: Path, existing: str | None) -> list[list[str]]:
    """gh calls that open the regression issue, or comment on the open one."""
    if existing:
        return [
            [
                "gh",
                "issue",
                "comment",
                existing,
                "--repo",
                repo,
                "--body-file",
                str(report),
            ]
        ]
    return [
        ["gh", "label", "create", LABEL, "--repo", repo, "--force", "--color", "B60205",
         "--description", "opened by the monitor workflow"],
        ["gh", "issue", "create", "--repo", repo, "--title", "Production monitor: regression",
         "--label", LABEL, "--body-file", str(report)],
    ]  # fmt: skip


WORKBOOK_VARIABLE = "AZURE_MONITOR_WORKBOOK_ID"  # deploy/contract.py VARIABLES


def workbook_url(workbook_id: str) -> str:
    """The Azure portal page of the workbook the IaC creates (every signal, per revision)."""
    return f"https://portal.azure.com/#resource{workbook_id.strip()}/workbook"


def with_dashboard_link(report: Path, workbook_id: str) -> None:
    """Append the workbook link to the report once (the issue body or comment)."""
    text = report.read_text(encoding="utf-8")
    if not workbook_id.strip().startswith("/subscriptions/") or workbook_url(workbook_id) in text:
        return
    line = (
        f"\nDashboard: [{workbook_id.rsplit('/', 1)[-1]} workbook]({workbook_url(workbook_id)}) "
        "(error rate, p95, tokens, eval score, feedback, /ready per revision; infra/ alerts).\n"
    )
    report.write_text(text.rstrip("\n") + "\n" + line, encoding="utf-8")


def open_or_update_issue(
    repo: str, report: Path, runner: Runner = run_az, workbook_id: str = ""
) -> str | None:
    if not report.is_file():
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            "## Production monitor failed\n\nThe monitor produced no report; see the run log.\n",
            encoding="utf-8",
        )
    with_dashboard_link(report, workbook_id)
    listed = runner(
        ["gh", "issue", "list", "--repo", repo, "--label", LABEL, "--state", "open",
         "--json", "number", "--jq", ".[0].number"]
    ).strip()  # fmt: skip
    for command in issue_commands(repo, report, listed or None):
        runner(command)
    return listed or None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.monitor", description=__doc__)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="compare the last day with the baseline")
    checking.add_argument("--eval-cmd", default="", help="online eval command to run as well")
    commands.add_parser("issue", help="open or update the regression issue (needs gh)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            command = shlex.split(args.eval_cmd) if args.eval_cmd else None
            return check(load_config(args.config), args.reports, command)
        repo = os.environ.get("GITHUB_REPOSITORY", "")
        if not repo:
            raise ValueError("set GITHUB_REPOSITORY (owner/name)")
        workbook = os.environ.get(WORKBOOK_VARIABLE, "")
        open_or_update_issue(repo, args.reports / "monitor.md", workbook_id=workbook)
        return 0
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AzureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
