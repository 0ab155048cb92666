"""Result artifacts (``evals/results/<run-id>/``) and the Markdown a person reads.

``summary.md`` is the full report (job summary); ``comment.md`` is the pull-request comment:
the verdict in words, the gated metrics against the baseline (delta and its 95 % CI), what was
not evaluated, and the cost. ``status.json`` is the verdict for machines (CI reads it, because
``make`` turns every failing exit code into 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.baseline import Baseline, load_scores, write_baseline
from eval.compare import MetricComparison, compare_suite
from eval.gate import BREACHED, COULD_NOT_RUN, NOT_FULLY_EVALUATED, PASSED, Check
from eval.runner import Row

CONFIG, ROWS, SUMMARY, MARKDOWN, COMMENT, STATUS = (
    "config.json",
    "eval_results.jsonl",
    "summary.json",
    "summary.md",
    "comment.md",
    "status.json",
)
HEADLINES = {
    PASSED: "PASSED",
    NOT_FULLY_EVALUATED: "NOT FULLY EVALUATED (nothing measured failed; see what was not)",
    BREACHED: "FAILED: quality gate breached",
    COULD_NOT_RUN: "COULD NOT RUN (no verdict on the change)",
}
__all__ = ["load_scores", "write_baseline", "write_run", "run_markdown", "comment_markdown"]


def _dump(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_run(
    directory: Path,
    config: dict[str, Any],
    rows: list[Row],
    summary: dict[str, Any],
    markdown: str,
    comment: str = "",
) -> Path:
    """config.json, eval_results.jsonl, summary.json, summary.md, comment.md, status.json."""
    directory.mkdir(parents=True, exist_ok=True)
    _dump(directory / CONFIG, config)
    with (directory / ROWS).open("w", encoding="utf-8") as sink:
        for row in rows:
            sink.write(
                json.dumps(
                    {"run_id": config["run_id"], **row.as_dict()},
                    sort_keys=True,
                    ensure_ascii=False,
                )
                + "\n"
            )
    _dump(directory / SUMMARY, summary)
    (directory / MARKDOWN).write_text(markdown, encoding="utf-8")
    (directory / COMMENT).write_text(comment or markdown, encoding="utf-8")
    write_status(directory, summary.get("verdict", {}), title(summary.get("producer", {})))
    return directory


def write_status(directory: Path, verdict: dict[str, Any], what: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _dump(directory / STATUS, {"title": what, **verdict})


def write_could_not_run(directory: Path, what: str, reason: str) -> None:
    """The artifacts of a run that stopped before it had anything to score."""
    verdict = {"status": COULD_NOT_RUN, "exit_code": 3, "reasons": [reason], "not_evaluated": []}
    text = f"### {what}: {HEADLINES[COULD_NOT_RUN]}\n\n{reason}\n"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKDOWN).write_text(text, encoding="utf-8")
    (directory / COMMENT).write_text(text, encoding="utf-8")
    write_status(directory, verdict, what)


def title(producer: dict[str, Any]) -> str:
    if not producer:
        return "Eval gate"
    if producer.get("provider") == "local":
        return "Offline eval gate (offline model, no keys)"
    where = "deployed app" if producer.get("target") == "url" else "real model"
    return f"Eval gate, {where} ({producer.get('provider')} / {producer.get('chat_model')})"


def _status(summary: dict[str, Any]) -> str:
    return str(
        summary.get("verdict", {}).get("status") or (PASSED if summary["passed"] else BREACHED)
    )


def _cost_line(summary: dict[str, Any]) -> str:
    app = summary.get("app_usage") or {}
    judge = summary.get("judge_usage") or {}
    cost = summary.get("cost") or {}
    tokens = (
        f"app {app.get('prompt_tokens', 0):,} prompt + {app.get('completion_tokens', 0):,} "
        "completion tokens"
    )
    if judge:
        tokens += (
            f", judge {judge.get('prompt_tokens', 0):,} + {judge.get('completion_tokens', 0):,} "
            f"({judge.get('calls', 0)} calls, {judge.get('cache_hits', 0)} cached)"
        )
    total = float(cost.get("app", 0.0)) + float(cost.get("judge", 0.0))
    prices = cost.get("prices") or {}
    if (summary.get("producer") or {}).get("provider") == "local" and not judge:
        return f"Cost: none, the offline model ({tokens}, estimated at ~4 characters a token)."
    if not prices.get("prompt_per_million") and not prices.get("completion_per_million"):
        return f"Cost: {tokens}; no price configured ({prices.get('source', 'thresholds.yaml')})."
    return (
        f"Cost: {tokens} ≈ {total:.4f} {cost.get('currency', 'USD')} at "
        f"{prices['prompt_per_million']:g}/{prices['completion_per_million']:g} per million "
        f"prompt/completion tokens ({prices['source']})."
    )


def _notes(summary: dict[str, Any]) -> list[str]:
    verdict = summary.get("verdict") or {}
    lines: list[str] = []
    reasons = verdict.get("reasons") or []
    if reasons and verdict.get("status") == COULD_NOT_RUN:
        lines += ["**Why it could not run:**", ""] + [f"- {r}" for r in reasons] + [""]
    notes = verdict.get("not_evaluated") or []
    if notes:
        lines += ["**Not evaluated by this run** (not a pass):", ""]
        lines += [f"- {n['suite']}, {n['what']}: {n['detail']}" for n in notes] + [""]
    return lines


def run_markdown(summary: dict[str, Any], checks: list[Check]) -> str:
    """A job-summary friendly report of one run: every metric, every failed check."""
    lines = [
        f"## Eval gate: {HEADLINES[_status(summary)]}",
        "",
        f"{title(summary.get('producer', {}))} · run `{summary['run_id']}` · "
        f"variant `{summary['variant']}`",
        "",
        *_notes(summary),
    ]
    for suite, data in summary["suites"].items():
        lines += [
            f"### {suite}: n={data['n_items']} (declared ≥ {data['n_declared']}), "
            f"errors={data['n_errors']}, cached={data['cached_items']}",
            "",
            "| metric | mean | 95% CI | n |",
            "|---|---:|---|---:|",
        ]
        for name, m in data["metrics"].items():
            lines.append(
                f"| {name} | {m['mean']:.4f} | [{m['ci_low']:.4f}, {m['ci_high']:.4f}] | {m['n']} |"
            )
        for name, value in data["corpus"].items():
            lines.append(f"| {name} (corpus) | {value:.4f} | | {data['n_scored']} |")
        lines.append("")
    failed = [c for c in checks if not c.passed]
    lines += ["### Checks", "", f"{len(checks) - len(failed)} of {len(checks)} passed.", ""]
    if failed:
        lines += ["| suite | check | metric | detail |", "|---|---|---|---|"]
        lines += [
            f"| {c.suite} | {c.kind if c.measured else c.kind + ' (not measured)'} "
            f"| {c.metric} | {c.detail} |"
            for c in failed
        ]
        lines.append("")
    lines += [_cost_line(summary), ""]
    return "\n".join(lines)


def _deltas(
    summary: dict[str, Any],
    scores: dict[str, dict[str, dict[str, float]]],
    baseline: Baseline | None,
) -> dict[tuple[str, str], MetricComparison]:
    if baseline is None:
        return {}
    found: dict[tuple[str, str], MetricComparison] = {}
    for suite in summary["suites"]:
        for result in compare_suite(suite, baseline.scores.get(suite, {}), scores.get(suite, {})):
            found[(suite, result.metric)] = result
    return found


def _value(summary: dict[str, Any], suite: str, metric: str) -> float | None:
    data = summary["suites"][suite]
    if metric in data["metrics"]:
        return float(data["metrics"][metric]["mean"])
    value = data["corpus"].get(metric)
    return None if value is None else float(value)


def comment_markdown(
    summary: dict[str, Any],
    checks: list[Check],
    scores: dict[str, dict[str, dict[str, float]]],
    baseline: Baseline | None,
) -> str:
    """The pull-request comment: gated metrics, their delta to the baseline, the verdict."""
    status = _status(summary)
    producer = summary.get("producer", {})
    lines = [f"### {title(producer)}: {HEADLINES[status]}", ""]
    lines += _notes(summary)
    deltas = _deltas(summary, scores, baseline)
    by_metric: dict[tuple[str, str], list[Check]] = {}
    for check in checks:
        by_metric.setdefault((check.suite, check.metric), []).append(check)
    lines += [
        "| suite | metric | baseline | this run | delta | 95% CI of delta | gate |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for suite, gated in summary.get("gated", {}).items():
        names = sorted(set(gated["floors"]) | set(gated["judge_floors"]) | set(gated["regression"]))
        for metric in names:
            value = _value(summary, suite, metric)
            delta = deltas.get((suite, metric))
            verdicts = by_metric.get((suite, metric), [])
            if any(not c.passed and c.measured for c in verdicts):
                mark = "❌ " + "; ".join(c.detail for c in verdicts if not c.passed)
            elif any(not c.passed for c in verdicts):
                mark = "⚠️ not measured: " + "; ".join(c.detail for c in verdicts if not c.passed)
            elif verdicts:
                mark = "✅"
            else:
                mark = "reported"
            lines.append(
                f"| {suite} | {metric} "
                f"| {'-' if delta is None else f'{delta.mean_a:.4f}'} "
                f"| {'-' if value is None else f'{value:.4f}'} "
                f"| {'-' if delta is None else f'{delta.delta:+.4f}'} "
                f"| {'-' if delta is None else f'[{delta.ci_low:+.4f}, {delta.ci_high:+.4f}]'} "
                f"| {mark} |"
            )
    lines.append("")
    other = [c for c in checks if not c.passed and c.kind in ("dataset", "errors", "judge")]
    if other:
        lines += [f"- ❌ {c.suite} {c.kind}: {c.detail}" for c in other] + [""]
    where = (
        f"baseline `{baseline.directory.parent.name}/{baseline.directory.name}` "
        f"({(baseline.producer.label if baseline.producer else 'unknown producer')})"
        if baseline is not None
        else "no baseline"
    )
    n = {s: d["n_items"] for s, d in summary["suites"].items()}
    lines += [
        f"Compared with {where}; items per suite: {n}; deltas are paired over the items both "
        "scored (bootstrap, 10 000 resamples).",
        "",
        _cost_line(summary),
        "",
    ]
    return "\n".join(lines)


def compare_markdown(
    a: str, b: str, results: list[MetricComparison], overall: dict[str, str], notes: list[str]
) -> str:
    lines = [f"## Compare: A=`{a}` vs B=`{b}`", ""]
    for suite, word in overall.items():
        lines.append(f"- **{suite}**: B is **{word}** than A on the primary metric")
    if notes:
        lines += ["", "**Not evaluated by this comparison** (not a tie):", ""]
        lines += [f"- {n}" for n in notes]
    lines += [
        "",
        "| suite | metric | A | B | delta (B-A) | 95% CI | sign-test p "
        "| wins/losses/ties | verdict |",
        "|---|---|---:|---:|---:|---|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.suite} | {r.metric} | {r.mean_a:.4f} | {r.mean_b:.4f} | {r.delta:+.4f} | "
            f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}] | {r.sign_p:.4g} | "
            f"{r.wins}/{r.losses}/{r.ties} | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"
