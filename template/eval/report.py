"""Result artifacts (``evals/results/<run-id>/``), the baseline, and Markdown summaries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from eval.compare import MetricComparison
from eval.gate import Check
from eval.runner import Row

CONFIG, ROWS, SUMMARY, MARKDOWN, SCORES = (
    "config.json",
    "eval_results.jsonl",
    "summary.json",
    "summary.md",
    "scores.jsonl",
)


def _dump(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_run(
    directory: Path, config: dict[str, Any], rows: list[Row], summary: dict[str, Any], markdown: str
) -> Path:
    """config.json, eval_results.jsonl (one line per item), summary.json, summary.md."""
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
    return directory


def write_baseline(
    directory: Path, config: dict[str, Any], rows: list[Row], summary: dict[str, Any]
) -> None:
    """The baseline keeps per-item scores (paired tests need them), not the app's outputs."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    _dump(directory / CONFIG, config)
    _dump(directory / SUMMARY, summary)
    with (directory / SCORES).open("w", encoding="utf-8") as sink:
        for row in sorted(rows, key=lambda r: (r.suite, r.item_id)):
            if row.error is None:
                record = {"suite": row.suite, "item_id": row.item_id, "metrics": row.metrics}
                sink.write(json.dumps(record, sort_keys=True) + "\n")


def load_scores(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """suite -> metric -> {item_id: value}, from a baseline's scores.jsonl or a run's rows."""
    scores: dict[str, dict[str, dict[str, float]]] = {}
    if not path.is_file():
        return scores
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("error"):
            continue
        for metric, value in (record.get("metrics") or {}).items():
            scores.setdefault(record["suite"], {}).setdefault(metric, {})[record["item_id"]] = value
    return scores


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def run_markdown(summary: dict[str, Any], checks: list[Check]) -> str:
    """A job-summary / PR-comment friendly report of one run."""
    verdict = "PASSED" if summary["passed"] else "FAILED"
    lines = [
        f"## Eval gate: {verdict}",
        "",
        f"Run `{summary['run_id']}` · variant `{summary['variant']}`",
        "",
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
        lines += [f"| {c.suite} | {c.kind} | {c.metric} | {c.detail} |" for c in failed]
        lines.append("")
    usage = summary.get("judge_usage")
    if usage:
        lines += [
            f"Judge: {usage['calls']} calls, {usage['cache_hits']} cache hits, "
            f"{usage['total_tokens']} tokens ({usage['prompt_tokens']} prompt + "
            f"{usage['completion_tokens']} completion), "
            f"{usage['saved_tokens']} saved by the cache.",
            "",
        ]
    return "\n".join(lines)


def compare_markdown(
    a: str, b: str, results: list[MetricComparison], overall: dict[str, str]
) -> str:
    lines = [f"## Compare: A=`{a}` vs B=`{b}`", ""]
    for suite, word in overall.items():
        lines.append(f"- **{suite}**: B is **{word}** than A on the primary metric")
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
