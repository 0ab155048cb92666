"""One eval run: call the target, score, judge, summarize, gate. Pure of I/O except the cache."""

from __future__ import annotations

import hashlib
import platform
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from eval import __version__
from eval.aggregate import metric_values, summarize_suite
from eval.baseline import Baseline
from eval.cache import ResponseCache
from eval.config import EvalConfig
from eval.datasets import display_path, hash_files, load_golden, manifest_hash
from eval.errors import CouldNotRun
from eval.gate import Check, Verdict, check_suite, verdict
from eval.judge import JudgeClient, load_rubric
from eval.producer import Producer, mismatches
from eval.runner import Row, apply_scores, call_items, judge_row
from eval.scope import Note, unevaluated_prompt_changes
from eval.suites import build as build_suite
from eval.targets import Target

LIBRARIES = ("rouge-score", "sacrebleu", "pytrec-eval-terrier", "scikit-learn", "scipy", "numpy")


@dataclass
class Run:
    run_id: str
    rows: list[Row]
    summary: dict[str, Any]
    checks: list[Check]
    config: dict[str, Any]
    scores: dict[str, dict[str, dict[str, float]]]
    verdict: Verdict
    producer: Producer
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    """What the run is compared with: a baseline (or None: none recorded), or nothing."""

    enabled: bool
    baseline: Baseline | None = None
    # why there is no comparison at all (reported as "not evaluated"), when not enabled
    reason: str = ""


def new_run_id(label: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', label)[:40]}"


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "harness": __version__}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def capped(records: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """At most ``limit`` records, the same ones on every run (by hash of the id), in file order.

    Spread over the whole file instead of its head, so a cap keeps the dataset's mix.
    """
    if limit is None or len(records) <= limit:
        return records

    def rank(record: dict[str, Any]) -> str:
        return hashlib.sha256(str(record["id"]).encode()).hexdigest()

    keep = {str(r["id"]) for r in sorted(records, key=rank)[:limit]}
    return [r for r in records if str(r["id"]) in keep]


def check_baseline(producer: Producer, comparison: Comparison) -> None:
    """Refuse, before any model call, to compare with a baseline of another producer."""
    baseline = comparison.baseline
    if not comparison.enabled or baseline is None:
        return
    problems = mismatches(baseline.producer, producer)
    if problems:
        raise CouldNotRun(
            f"the baseline in {baseline.directory} cannot be compared with this run: "
            f"{'; '.join(problems)}. Record one for this configuration with `make baseline` "
            "(and commit it)"
        )


def _models(rows: list[Row]) -> set[str]:
    return {str(r.output.get("model")) for r in rows if r.output and r.output.get("model")}


def _used_prompts(rows: list[Row]) -> set[str]:
    return {str(r.output["prompt_id"]) for r in rows if r.output and r.output.get("prompt_id")}


async def evaluate(
    cfg: EvalConfig,
    target: Target,
    suites: list[str],
    variant: str,
    overrides: dict[str, Any],
    cache: ResponseCache,
    concurrency: int,
    comparison: Comparison,
    run_id: str | None = None,
    max_items: int | None = None,
) -> Run:
    """Run ``suites`` against ``target`` and gate it.

    Raises :class:`CouldNotRun` before calling anything when the baseline belongs to another
    producer (provider, model, embedding): that comparison would measure nothing.
    """
    run_id = run_id or new_run_id(variant)
    started = time.perf_counter()
    await target.prepare()
    producer = target.producer(set())
    check_baseline(producer, comparison)
    judge = JudgeClient(cfg.judge, cache) if cfg.judge else None
    rows: list[Row] = []
    suite_summaries: dict[str, Any] = {}
    checks: list[Check] = []
    blockers: list[str] = []
    notes: list[Note] = []
    scores_by_suite: dict[str, dict[str, dict[str, float]]] = {}
    datasets: dict[str, Any] = {}
    gated: dict[str, Any] = {}
    rubrics_used = []
    current_prompts = target.prompt_files()
    try:
        for name in suites:
            suite_cfg = cfg.suite_for(name, producer.provider)
            suite = build_suite(suite_cfg)
            all_records = load_golden(name, suite_cfg.dataset)
            records = capped(all_records, max_items or cfg.profile(producer.provider).max_items)
            files = [suite_cfg.dataset, *suite_cfg.files.values()]
            datasets[name] = {
                "files": [display_path(p, cfg.root) for p in files],
                "sha256": hash_files(files, cfg.root),
                "n": len(all_records),
                "n_run": len(records),
            }
            judged = judge is not None and bool(suite_cfg.judges)
            then = None
            if judge is not None and suite_cfg.judges:
                rubrics = [load_rubric(j) for j in suite_cfg.judges]
                rubrics_used += rubrics
                then = judge_row(suite, judge, rubrics)
            judge_errors_before = judge.usage.errors if judge else 0
            suite_rows = await call_items(
                suite, target, records, cache, concurrency, cfg.timeout_s, then
            )
            if producer.target == "url":  # the answers say which model served them
                producer = target.producer(_models(suite_rows))
                suite_cfg = cfg.suite_for(name, producer.provider)
            answered = {r.item_id: r.output for r in suite_rows if r.output is not None}
            if not answered and all(r.unavailable for r in suite_rows):
                # nothing reached the model: no evidence about the change either way (an app
                # that answers every item with its own error is a breach, counted below)
                first = next((r.error for r in suite_rows if r.error), "no items")
                blockers.append(
                    f"{name}: no item was answered, the model was unavailable ({first})"
                )
            scores = suite.score(records, answered)
            apply_scores(suite_rows, scores)
            summary = summarize_suite(
                suite_rows, scores, suite_cfg.min_items, cfg.confidence, cfg.resamples, cfg.seed
            )
            if judged and answered and judge is not None:
                verdicts = sum(summary["metrics"].get(j, {}).get("n", 0) for j in suite_cfg.judges)
                if verdicts == 0 and judge.usage.errors > judge_errors_before:
                    first = next((r.error for r in suite_rows if r.error), "")
                    blockers.append(f"{name}: the judge returned no verdict ({first})")
            per_item = metric_values(suite_rows)
            scores_by_suite[name] = per_item
            baseline = comparison.baseline
            checks += check_suite(
                suite_cfg,
                summary,
                per_item,
                None if baseline is None else baseline.scores.get(name),
                cfg.max_error_rate,
                judged,
                cfg.confidence,
                cfg.resamples,
                cfg.seed,
                comparison.enabled,
            )
            if not comparison.enabled and comparison.reason and suite_cfg.regression:
                notes.append(Note(name, "regression against a baseline", comparison.reason))
            if comparison.enabled and not producer.follows_instructions:
                notes += unevaluated_prompt_changes(
                    name,
                    _used_prompts(suite_rows),
                    current_prompts,
                    baseline.prompt_files if baseline is not None else None,
                )
            gated[name] = {
                "floors": suite_cfg.floors,
                "judge_floors": suite_cfg.judge_floors if judged else {},
                "regression": suite_cfg.regression if comparison.enabled else {},
            }
            suite_summaries[name] = summary
            rows += suite_rows
    finally:
        if judge is not None:
            await judge.aclose()
    outcome = verdict(checks, blockers, notes)
    profile = cfg.profile(producer.provider)
    app_usage = {
        k: sum(s["app_usage"][k] for s in suite_summaries.values())
        for k in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    judge_usage = judge.usage.as_dict() if judge else None
    cost = {
        "currency": profile.cost.currency,
        "app": profile.cost.of(app_usage["prompt_tokens"], app_usage["completion_tokens"]),
        "judge": (
            profile.cost.of(judge_usage["prompt_tokens"], judge_usage["completion_tokens"])
            if judge_usage
            else 0.0
        ),
        "prices": {
            "prompt_per_million": profile.cost.prompt_per_million,
            "completion_per_million": profile.cost.completion_per_million,
            "source": f"{_config_name(cfg)} providers.{producer.provider}.cost",
        },
    }
    summary = {
        "run_id": run_id,
        "variant": variant,
        "passed": outcome.exit_code == 0,
        "verdict": outcome.as_dict(),
        "producer": producer.as_dict(),
        "suites": suite_summaries,
        "checks": [c.as_dict() for c in checks],
        "gated": gated,
        "app_usage": app_usage,
        "judge_usage": judge_usage,
        "cost": cost,
        "cache": {"enabled": cache.enabled and target.cacheable, **cache.stats},
        "duration_s": round(time.perf_counter() - started, 3),
    }
    config = {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "variant": {"name": variant, "overrides": overrides},
        "producer": producer.as_dict(),
        "target": target.identity(),
        "suites": list(suites),
        "datasets": datasets,
        "grounding_manifest_sha256": manifest_hash(cfg.root / "data" / "docs", cfg.root),
        "thresholds_sha256": hash_files(
            [cfg.thresholds_file or cfg.root / "evals" / "thresholds.yaml"], cfg.root
        ),
        "prompt_files": current_prompts,
        "prompt_versions": {n: s["prompt_versions"] for n, s in suite_summaries.items()},
        "models": {n: s["models"] for n, s in suite_summaries.items()},
        "judge": judge.describe(rubrics_used) if judge else None,
        "seed": cfg.seed,
        "bootstrap": {"resamples": cfg.resamples, "confidence": cfg.confidence},
        "concurrency": concurrency,
        "max_items": max_items or profile.max_items,
        "signatures": {n: s["signatures"] for n, s in suite_summaries.items()},
        "versions": _versions(),
        "baseline": (
            display_path(comparison.baseline.directory, cfg.root)
            if comparison.baseline is not None
            else "not compared"
        ),
    }
    return Run(run_id, rows, summary, checks, config, scores_by_suite, outcome, producer, notes)


def results_path(cfg: EvalConfig, run_id: str, out: Path | None) -> Path:
    return out if out is not None else cfg.results_dir / run_id


def _config_name(cfg: EvalConfig) -> str:
    """The thresholds file as the repository names it (``--thresholds``: evals/gate.yaml)."""
    path = cfg.thresholds_file or cfg.root / "evals" / "thresholds.yaml"
    try:
        return path.resolve().relative_to(cfg.root.resolve()).as_posix()
    except ValueError:
        return str(path)
