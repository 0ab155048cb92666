"""Command line: ``python -m eval run|baseline|compare`` (the Makefile's eval targets call it).

Exit codes: 0 the gate passed (or nothing measured failed; the report names what was not
measured), 1 the quality gate was breached (or compare found B worse with
``--fail-if-worse``), 2 usage error (bad flag, config, dataset or variant), 3 the evaluation
could not run (app or model unreachable, no baseline of the same provider and model).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from eval.errors import CouldNotRun, UsageError

# eval/ sits at the repository root, next to evals/, data/ and src/
ROOT = Path(__file__).resolve().parent.parent
SCOPES = {
    "runs": "Real-model eval: runs on this pull request in its own job (its result is below).",
    "fork": (
        "Real-model eval: **not run**. This pull request comes from a fork and fork code never "
        "gets cloud credentials, so only the offline gate judged it; the offline model does "
        "not follow prompt instructions. A maintainer can re-run it from a branch."
    ),
    "unconfigured": (
        "Real-model eval: **not configured** (the repository variable `AZURE_EVAL_CLIENT_ID` "
        "is not set; see docs/eval.md). Only the offline gate judged this change, and the "
        "offline model does not follow prompt instructions."
    ),
    "push": "Real-model eval: runs on pull requests only (its federated credential's subject).",
}


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
            "--all-suites",
            action="store_true",
            help="every configured suite: every use case of the app (the shipped baseline has all)",
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
        p.add_argument(
            "--max-items",
            type=int,
            help="row cap per suite (default: thresholds.yaml providers.<provider>.max_items)",
        )

    run = sub.add_parser("run", help="evaluate one variant and apply the gate")
    common(run)
    run.add_argument(
        "--variant", default="", help="name in evals/variants.yaml or key=value,... settings"
    )
    run.add_argument(
        "--url", default="", help="evaluate a running app at this URL instead of in-process"
    )
    run.add_argument(
        "--provider",
        default="",
        help="provider of the app at --url (default: inferred from its answers)",
    )
    run.add_argument(
        "--real-model-eval",
        choices=sorted(SCOPES),
        default="",
        help="CI: say in the report whether a real-model run judges this change too",
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
    cmp_.add_argument("--out", type=Path, help="results directory (default: evals/results/<id>)")

    changed = sub.add_parser(
        "compare-changed", help="compare every prompt variant changed since --base with its base"
    )
    common(changed)
    changed.add_argument("--base", required=True, help="git ref of the base branch")
    changed.add_argument("--out", type=Path, help="results directory")
    changed.add_argument(
        "--fail-if-worse", action="store_true", help="exit 1 when a variant got worse"
    )
    changed.add_argument("--real-model-eval", choices=sorted(SCOPES), default="")

    red = sub.add_parser(
        "redteam", help="the adversarial set against the guardrails, or against --url"
    )
    red.add_argument("--url", default="", help="a running app (default: the guardrails offline)")
    red.add_argument("--out", type=Path, default=Path("reports/redteam"))
    red.add_argument("--config", type=Path, help="thresholds (default: evals/redteam.yaml)")
    red.add_argument("--concurrency", type=int, help=argparse.SUPPRESS)
    red.add_argument("--max-items", type=int, help=argparse.SUPPRESS)
    red.add_argument("--thresholds", type=Path, help=argparse.SUPPRESS)
    return parser


def _target(url: str, overrides: dict[str, Any], timeout_s: float, provider: str = "") -> Any:
    from eval.targets import HttpTarget, InProcessTarget

    if not url and (ROOT / "evals" / "target.yaml").is_file():  # `genaiops add eval`
        from eval.adapter import declared_target

        return declared_target(ROOT, overrides)
    if url:
        if overrides:
            raise UsageError(
                "--variant applies to the in-process app; a URL target runs as deployed"
            )
        return HttpTarget(url, timeout_s, provider)
    if provider:
        raise UsageError("--provider describes a --url target; in-process it is APP_PROVIDER")
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
    from eval.baseline import load_baseline
    from eval.cache import ResponseCache
    from eval.config import resolve_variant
    from eval.evaluate import Comparison, evaluate

    name, overrides = resolve_variant(ROOT, spec) if spec else ("default", {})
    url = getattr(args, "url", "")
    target = _target(url, overrides, cfg.timeout_s, getattr(args, "provider", ""))
    cache = ResponseCache(None if args.no_cache else cfg.cache_path)
    suites = list(cfg.suite_configs) if getattr(args, "all_suites", False) else None
    suites = suites or args.suite or list(cfg.suites)
    unknown = [s for s in suites if s not in cfg.suite_configs]
    if unknown:
        raise UsageError(
            f"unknown suite(s) {', '.join(unknown)} (configured: {', '.join(cfg.suite_configs)})"
        )
    if regression and url:
        comparison = Comparison(
            enabled=False,
            reason=(
                "a deployed app is not compared with a committed baseline (its retrieval is "
                "only visible through its citations); the canary compares it with the stable "
                "revision instead"
            ),
        )
    elif regression:
        provider = target.producer(set()).provider
        comparison = Comparison(enabled=True, baseline=load_baseline(cfg.baseline_for(provider)))
    else:
        comparison = Comparison(enabled=False)
    try:
        return await evaluate(
            cfg,
            target,
            suites,
            label or name,
            overrides,
            cache,
            args.concurrency or cfg.concurrency,
            comparison,
            max_items=args.max_items,
        )
    finally:
        await target.aclose()
        cache.close()


def _scope_note(args: argparse.Namespace) -> str:
    note = SCOPES.get(getattr(args, "real_model_eval", "") or "", "")
    return f"\n{note}\n" if note else ""


def _cmd_run(args: argparse.Namespace, cfg: Any) -> int:
    from eval.evaluate import new_run_id, results_path
    from eval.report import comment_markdown, run_markdown, title, write_could_not_run, write_run

    try:
        run = asyncio.run(_run_variant(args, cfg, args.variant, regression=True))
    except CouldNotRun as exc:
        out = results_path(cfg, new_run_id("could-not-run"), args.out)
        write_could_not_run(out, title({}), str(exc))
        if args.real_model_eval:
            with (out / "comment.md").open("a", encoding="utf-8") as sink:
                sink.write(_scope_note(args))
        raise
    from eval.baseline import load_baseline

    baseline = load_baseline(cfg.baseline_for(run.producer.provider)) if not args.url else None
    scope = _scope_note(args)
    markdown = run_markdown(run.summary, run.checks) + scope
    comment = comment_markdown(run.summary, run.checks, run.scores, baseline) + scope
    out = write_run(
        results_path(cfg, run.run_id, args.out),
        run.config,
        run.rows,
        run.summary,
        markdown,
        comment,
    )
    if args.mlflow:
        from eval.mlflow_export import log_run

        log_run(out, run.config, run.summary)
    for note in run.verdict.notes:  # a GitHub annotation, visible on the pull request
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title={title(run.summary['producer'])}::{note.what}: {note.detail}")
    _publish(markdown + f"\nResults: `{out}`\n")
    if run.verdict.exit_code == 3:
        print(f"evaluation could not run: {'; '.join(run.verdict.reasons)}", file=sys.stderr)
    return int(run.verdict.exit_code)


def _cmd_baseline(args: argparse.Namespace, cfg: Any) -> int:
    from eval.baseline import write_baseline
    from eval.report import run_markdown

    run = asyncio.run(_run_variant(args, cfg, args.variant, regression=False, label="baseline"))
    markdown = run_markdown(run.summary, run.checks)
    _publish(markdown)
    if run.verdict.exit_code != 0:
        print(
            "baseline NOT written: the run fails the gate's floors or fail-closed rules",
            file=sys.stderr,
        )
        return int(run.verdict.exit_code)
    directory = cfg.baseline_for(run.producer.provider)
    write_baseline(directory, run.config, run.rows, run.summary)
    print(f"baseline for {run.producer.label} written to {directory}/ (commit it)")
    return 0


def _compare(
    args: argparse.Namespace,
    cfg: Any,
    a: str,
    b: str,
    out: Path,
    label_a: str = "",
    label_b: str = "",
) -> tuple[str, dict[str, str]]:
    """Run A and B on the same items; write compare.{json,md}; return the Markdown, verdicts."""
    from eval.compare import compare_suite, overall
    from eval.report import compare_markdown, run_markdown, write_run

    runs = {}
    for side, spec in (("a", a), ("b", b)):
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
    notes = _prompt_notes(runs["a"], runs["b"])
    markdown = compare_markdown(label_a or a, label_b or b, results, verdicts, notes)
    producers = {side: run.producer for side, run in runs.items()}
    markdown += f"\nModel: {producers['a'].label} (A), {producers['b'].label} (B).\n"
    errors = {side: sum(1 for r in run.rows if r.error) for side, run in runs.items()}
    if any(errors.values()):
        markdown += f"\nErrored items (excluded from pairing): A={errors['a']}, B={errors['b']}\n"
    (out / "compare.json").write_text(
        json.dumps(
            {
                "a": a,
                "b": b,
                "overall": verdicts,
                "not_evaluated": notes,
                "producers": {side: p.as_dict() for side, p in producers.items()},
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
    return markdown, verdicts


def _cmd_compare(args: argparse.Namespace, cfg: Any) -> int:
    from eval.compare import WORSE
    from eval.evaluate import new_run_id

    out = args.out or cfg.results_dir / new_run_id(f"compare-{args.a}-vs-{args.b}")
    markdown, verdicts = _compare(args, cfg, args.a, args.b, out)
    _publish(markdown + f"\nResults: `{out}`\n")
    return 1 if args.fail_if_worse and WORSE in verdicts.values() else 0


def _cmd_compare_changed(args: argparse.Namespace, cfg: Any) -> int:
    """Every prompt variant the branch adds or changes, against the base branch's version."""
    from eval.compare import WORSE
    from eval.evaluate import new_run_id
    from eval.variant_changes import changes

    out = args.out or cfg.results_dir / new_run_id("compare-changed")
    out.mkdir(parents=True, exist_ok=True)
    found = changes(ROOT, args.base, out)
    lines = ["### Prompt variants changed by this pull request", ""]
    worse = False
    if not found:
        lines.append("No prompt variant was added or changed: nothing to compare.")
    for change in found:
        markdown, verdicts = _compare(
            args,
            cfg,
            change.a,
            change.b,
            out / change.variant,
            label_a=f"{change.variant} on the base branch",
            label_b=f"{change.variant} in this pull request",
        )
        worse = worse or WORSE in verdicts.values()
        lines += [f"#### `{change.variant}` ({change.what})", "", markdown.replace("## ", "##### ")]
    if worse:
        lines += ["", "**Verdict: a changed variant is worse on a primary metric.**"]
    lines += [_scope_note(args)]
    comment = "\n".join(lines) + "\n"
    (out / "comment.md").write_text(comment, encoding="utf-8")
    _publish(comment + f"\nResults: `{out}`\n")
    return 1 if args.fail_if_worse and worse else 0


def _prompt_notes(a: Any, b: Any) -> list[str]:
    """Prompts that differ between A and B where only the offline model answered both."""
    if a.producer.follows_instructions or b.producer.follows_instructions:
        return []
    files_a, files_b = a.config["prompt_files"], b.config["prompt_files"]
    used = {
        version.partition("@")[0]
        for run in (a, b)
        for versions in run.config["prompt_versions"].values()
        for version in versions
    }
    return [
        f"prompt {pid}: {files_a[pid]['file']} (A) and {files_b[pid]['file']} (B) differ; the "
        "offline model does not follow prompt instructions, so only their effect on the data "
        "blocks and length was compared. Compare them with a real model (docs/eval.md)"
        for pid in sorted(set(files_a) & set(files_b) & used)
        if files_a[pid]["sha256"] != files_b[pid]["sha256"]
    ]


def _cmd_redteam(args: argparse.Namespace, cfg: Any) -> int:
    from eval.redteam import run

    if args.url and not args.url.startswith(("http://", "https://")):
        raise UsageError(f"URL must start with http:// or https:// (got '{args.url}')")
    return run(ROOT, args.url, args.out, args.config)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from eval.config import load_config

        cfg = load_config(ROOT, args.thresholds)
        if args.concurrency is not None and args.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        if args.max_items is not None and args.max_items < 1:
            raise UsageError("--max-items must be at least 1")
        command = {
            "run": _cmd_run,
            "baseline": _cmd_baseline,
            "compare": _cmd_compare,
            "compare-changed": _cmd_compare_changed,
            "redteam": _cmd_redteam,
        }[args.command]
        return command(args, cfg)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CouldNotRun as exc:
        print(f"evaluation could not run: {exc}", file=sys.stderr)
        return 3
