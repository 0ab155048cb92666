"""Command line: ``python -m eval run|baseline|compare`` (the Makefile's eval targets call it).

Exit codes: 0 the gate passed, 1 the gate failed (or compare found B worse with
``--fail-if-worse``), 2 usage error (bad flag, config, dataset or variant).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from eval.errors import AppStartError, UsageError

# eval/ sits at the repository root, next to evals/, data/ and src/
ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--suite",
            action="append",
            help="suite to run (repeatable; default: thresholds.yaml 'suites')",
        )
        p.add_argument(
            "--concurrency",
            type=int,
            help="items in flight at once (default: thresholds.yaml run.concurrency)",
        )
        p.add_argument("--no-cache", action="store_true", help="always call the app and the judge")
        p.add_argument(
            "--thresholds", type=Path, help="thresholds file (default: evals/thresholds.yaml)"
        )

    run = sub.add_parser("run", help="evaluate one variant and apply the gate")
    common(run)
    run.add_argument(
        "--variant", default="", help="name in evals/variants.yaml or key=value,... settings"
    )
    run.add_argument(
        "--url", default="", help="evaluate a running app at this URL instead of in-process"
    )
    run.add_argument("--out", type=Path, help="results directory (default: evals/results/<run-id>)")
    run.add_argument(
        "--mlflow", action="store_true", help="also log the run to MLflow (extra 'mlflow')"
    )

    base = sub.add_parser(
        "baseline", help="evaluate and write evals/baseline/ (floors still apply)"
    )
    common(base)
    base.add_argument(
        "--variant", default="", help="variant to baseline (default: the app's settings)"
    )

    cmp_ = sub.add_parser("compare", help="variant A vs variant B on the same items")
    common(cmp_)
    cmp_.add_argument("a", help="variant A (name in evals/variants.yaml or key=value,...)")
    cmp_.add_argument("b", help="variant B")
    cmp_.add_argument(
        "--fail-if-worse", action="store_true", help="exit 1 when B is worse on a primary metric"
    )
    return parser


def _target(url: str, overrides: dict[str, Any], timeout_s: float) -> Any:
    from eval.targets import HttpTarget, InProcessTarget

    if not url and (ROOT / "evals" / "target.yaml").is_file():  # `genaiops add eval`
        from eval.adapter import declared_target

        return declared_target(ROOT, overrides)
    if url:
        if overrides:
            raise UsageError(
                "--variant applies to the in-process app; a URL target runs as deployed"
            )
        return HttpTarget(url, timeout_s)
    return InProcessTarget(ROOT, overrides)


def _publish(markdown: str) -> None:
    """Print the report; also append it to the GitHub job summary when running in Actions."""
    print(markdown)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with Path(step_summary).open("a", encoding="utf-8") as sink:
            sink.write(markdown + "\n")


async def _run_variant(
    args: argparse.Namespace, cfg: Any, spec: str, regression: bool, label: str = ""
) -> Any:
    from eval.cache import ResponseCache
    from eval.config import resolve_variant
    from eval.evaluate import evaluate
    from eval.report import SCORES, load_scores

    name, overrides = resolve_variant(ROOT, spec) if spec else ("default", {})
    target = _target(getattr(args, "url", ""), overrides, cfg.timeout_s)
    cache = ResponseCache(None if args.no_cache else cfg.cache_path)
    suites = args.suite or list(cfg.suites)
    unknown = [s for s in suites if s not in cfg.suite_configs]
    if unknown:
        raise UsageError(
            f"unknown suite(s) {', '.join(unknown)} (configured: {', '.join(cfg.suite_configs)})"
        )
    baseline = load_scores(cfg.baseline_dir / SCORES) if regression else None
    try:
        return await evaluate(
            cfg,
            target,
            suites,
            label or name,
            overrides,
            cache,
            args.concurrency or cfg.concurrency,
            baseline,
            regression=regression,
        )
    finally:
        await target.aclose()
        cache.close()


def _cmd_run(args: argparse.Namespace, cfg: Any) -> int:
    from eval.evaluate import results_path
    from eval.report import run_markdown, write_run

    run = asyncio.run(_run_variant(args, cfg, args.variant, regression=True))
    markdown = run_markdown(run.summary, run.checks)
    out = write_run(
        results_path(cfg, run.run_id, args.out), run.config, run.rows, run.summary, markdown
    )
    if args.mlflow:
        from eval.mlflow_export import log_run

        log_run(out, run.config, run.summary)
    _publish(markdown + f"\nResults: `{out}`\n")
    return 0 if run.summary["passed"] else 1


def _cmd_baseline(args: argparse.Namespace, cfg: Any) -> int:
    from eval.report import run_markdown, write_baseline

    run = asyncio.run(_run_variant(args, cfg, args.variant, regression=False, label="baseline"))
    markdown = run_markdown(run.summary, run.checks)
    _publish(markdown)
    if not run.summary["passed"]:
        print(
            "baseline NOT written: the run fails the gate's floors or fail-closed rules",
            file=sys.stderr,
        )
        return 1
    write_baseline(cfg.baseline_dir, run.config, run.rows, run.summary)
    print(f"baseline written to {cfg.baseline_dir}/ (commit it)")
    return 0


def _cmd_compare(args: argparse.Namespace, cfg: Any) -> int:
    from eval.compare import WORSE, compare_suite, overall
    from eval.evaluate import new_run_id
    from eval.report import compare_markdown, run_markdown, write_run

    compare_id = new_run_id(f"compare-{args.a}-vs-{args.b}")
    out = cfg.results_dir / compare_id
    runs = {}
    for side, spec in (("a", args.a), ("b", args.b)):
        run = asyncio.run(_run_variant(args, cfg, spec, regression=False, label=f"{side}-{spec}"))
        write_run(
            out / side, run.config, run.rows, run.summary, run_markdown(run.summary, run.checks)
        )
        runs[side] = run
    results = []
    for suite in runs["a"].scores:
        results += compare_suite(
            suite,
            runs["a"].scores[suite],
            runs["b"].scores.get(suite, {}),
            cfg.confidence,
            cfg.resamples,
            cfg.seed,
        )
    primary = {
        s: cfg.suite_configs[s].primary for s in runs["a"].scores if cfg.suite_configs[s].primary
    }
    verdicts = overall(results, primary)
    markdown = compare_markdown(args.a, args.b, results, verdicts)
    errors = {side: sum(1 for r in run.rows if r.error) for side, run in runs.items()}
    if any(errors.values()):
        markdown += f"\nErrored items (excluded from pairing): A={errors['a']}, B={errors['b']}\n"
    (out / "compare.json").write_text(
        json.dumps(
            {
                "a": args.a,
                "b": args.b,
                "overall": verdicts,
                "errors": errors,
                "metrics": [r.as_dict() for r in results],
                "bootstrap": {
                    "resamples": cfg.resamples,
                    "confidence": cfg.confidence,
                    "seed": cfg.seed,
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    (out / "compare.md").write_text(markdown, encoding="utf-8")
    _publish(markdown + f"\nResults: `{out}`\n")
    return 1 if args.fail_if_worse and WORSE in verdicts.values() else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from eval.config import load_config

        cfg = load_config(ROOT, args.thresholds)
        if args.concurrency is not None and args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        command = {"run": _cmd_run, "baseline": _cmd_baseline, "compare": _cmd_compare}[
            args.command
        ]
        return command(args, cfg)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AppStartError as exc:
        print(f"eval gate FAILED: {exc}", file=sys.stderr)
        return 1
