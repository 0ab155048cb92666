"""One eval run: call the target, score, judge, summarize, gate. Pure of I/O except the cache."""

from __future__ import annotations

import platform
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from eval import __version__
from eval.aggregate import metric_values, summarize_suite
from eval.cache import ResponseCache
from eval.config import EvalConfig
from eval.datasets import display_path, hash_files, load_golden, manifest_hash
from eval.gate import Check, check_suite, passed
from eval.judge import JudgeClient, load_rubric
from eval.runner import Row, apply_scores, call_items, judge_row
from eval.suites import SUITE_TYPES
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


async def evaluate(
    cfg: EvalConfig,
    target: Target,
    suites: list[str],
    variant: str,
    overrides: dict[str, Any],
    cache: ResponseCache,
    concurrency: int,
    baseline: dict[str, dict[str, dict[str, float]]] | None,
    run_id: str | None = None,
    regression: bool = True,
) -> Run:
    """Run ``suites`` against ``target`` and gate it; ``regression=False`` skips the baseline."""
    run_id = run_id or new_run_id(variant)
    started = time.perf_counter()
    judge = JudgeClient(cfg.judge, cache) if cfg.judge else None
    rows: list[Row] = []
    suite_summaries: dict[str, Any] = {}
    checks: list[Check] = []
    scores_by_suite: dict[str, dict[str, dict[str, float]]] = {}
    datasets: dict[str, Any] = {}
    rubrics_used = []
    try:
        await target.prepare()
        for name in suites:
            suite_cfg = cfg.suite_configs[name]
            suite = SUITE_TYPES[name](suite_cfg)
            records = load_golden(name, suite_cfg.dataset)
            files = [suite_cfg.dataset, *suite_cfg.files.values()]
            datasets[name] = {
                "files": [display_path(p, cfg.root) for p in files],
                "sha256": hash_files(files, cfg.root),
                "n": len(records),
            }
            judged = judge is not None and bool(suite_cfg.judges)
            then = None
            if judge is not None and suite_cfg.judges:
                rubrics = [load_rubric(j) for j in suite_cfg.judges]
                rubrics_used += rubrics
                then = judge_row(suite, judge, rubrics)
            suite_rows = await call_items(
                suite, target, records, cache, concurrency, cfg.timeout_s, then
            )
            answered = {r.item_id: r.output for r in suite_rows if r.output is not None}
            scores = suite.score(records, answered)
            apply_scores(suite_rows, scores)
            summary = summarize_suite(
                suite_rows, scores, suite_cfg.min_items, cfg.confidence, cfg.resamples, cfg.seed
            )
            per_item = metric_values(suite_rows)
            scores_by_suite[name] = per_item
            checks += check_suite(
                suite_cfg,
                summary,
                per_item,
                None if baseline is None else baseline.get(name),
                cfg.max_error_rate,
                judged,
                cfg.confidence,
                cfg.resamples,
                cfg.seed,
                regression,
            )
            suite_summaries[name] = summary
            rows += suite_rows
    finally:
        if judge is not None:
            await judge.aclose()
    summary = {
        "run_id": run_id,
        "variant": variant,
        "passed": passed(checks),
        "suites": suite_summaries,
        "checks": [c.as_dict() for c in checks],
        "judge_usage": judge.usage.as_dict() if judge else None,
        "cache": {"enabled": cache.enabled and target.cacheable, **cache.stats},
        "duration_s": round(time.perf_counter() - started, 3),
    }
    config = {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "variant": {"name": variant, "overrides": overrides},
        "target": target.identity(),
        "suites": list(suites),
        "datasets": datasets,
        "grounding_manifest_sha256": manifest_hash(cfg.root / "data" / "docs", cfg.root),
        "thresholds_sha256": hash_files(
            [cfg.thresholds_file or cfg.root / "evals" / "thresholds.yaml"], cfg.root
        ),
        "prompt_versions": {n: s["prompt_versions"] for n, s in suite_summaries.items()},
        "models": {n: s["models"] for n, s in suite_summaries.items()},
        "judge": judge.describe(rubrics_used) if judge else None,
        "seed": cfg.seed,
        "bootstrap": {"resamples": cfg.resamples, "confidence": cfg.confidence},
        "concurrency": concurrency,
        "signatures": {n: s["signatures"] for n, s in suite_summaries.items()},
        "versions": _versions(),
        "baseline": display_path(cfg.baseline_dir, cfg.root) if regression else "not compared",
    }
    return Run(run_id, rows, summary, checks, config, scores_by_suite)


def results_path(cfg: EvalConfig, run_id: str, out: Path | None) -> Path:
    return out if out is not None else cfg.results_dir / run_id
