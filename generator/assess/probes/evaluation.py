"""Evaluation: dataset → entrypoint → metrics → CI gate with thresholds → baseline, online."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess.facts import EVAL_TARGET, NOT_EVAL, entrypoints
from generator.assess.probes import probe
from generator.assess.probes._util import (
    fail,
    gate_findings,
    info,
    ok,
    run_not_gate,
    run_ok,
)

if TYPE_CHECKING:
    from generator.assess.chains import Leaf
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

METRICS = re.compile(
    r"groundedness|relevance|coherence|fluency|similarity|faithfulness|recall(?:@|_at_?|_k)|\bmrr\b|"
    r"ndcg|rouge|bleu|chrf|meteor|\bf1\b|f1_score|precision|accuracy|exact_match|bertscore|"
    r"GroundednessEvaluator|RelevanceEvaluator|SimilarityEvaluator|llm-rubric|context-faithfulness|"
    r"answer_relevancy|context_precision|hit_rate|log_loss|citation_accuracy",
    re.I,
)
RESULTS = re.compile(
    r"json\.dump\(|\.to_json\(|summary\.json|results?\.jsonl?\b|eval_results|"
    r"--output|write_text\(\s*json|output_path\s*=|\.to_csv\(|log_metrics?\(",
    re.I,
)
MONITOR = re.compile(r"(^|[-_./])(monitor\w*|online[-_]?eval\w*|drift)([-_./]|$)", re.I)


def eval_leaves(facts: Facts) -> list[Leaf]:
    """Eval entrypoints (make/npm/console scripts) plus eval commands found in workflows."""
    leaves = entrypoints(facts, EVAL_TARGET, NOT_EVAL)
    leaves.extend(r.leaf for r in facts.eval_runs_any)
    leaves.extend(facts.eval_scripts)
    return leaves


def real_leaves(facts: Facts, leaves: list[Leaf]) -> list[Leaf]:
    """Leaves that reach real code (≥ 10 meaningful lines on the chain) or a known eval tool."""
    return [leaf for leaf in leaves if facts.reaches_code(leaf)]


@probe("eval.dataset")
def dataset(facts: Facts) -> list[Finding]:
    pid = "eval.dataset"
    good = facts.good_datasets()
    if good:
        out = [
            ok(
                pid,
                f"{d.path}: {d.valid} usable records (fields: {', '.join(sorted(d.fields)[:6])})",
                d.path,
            )
            for d in good
        ]
        for d in good:
            if d.placeholders or d.duplicates:
                out.append(
                    info(
                        pid,
                        f"{d.path}: {d.placeholders} placeholder and {d.duplicates} duplicate "
                        "records were not counted",
                        d.path,
                    )
                )
        return out
    if not facts.datasets:
        return [
            fail(
                pid,
                "no evaluation dataset (JSONL/JSON/CSV) under data/eval*, evals/, evaluations/ or "
                "eval/",
            )
        ]
    return [
        fail(
            pid,
            f"{d.path}: only {d.valid} usable records of {d.records} (need 10; "
            f"{d.placeholders} placeholders, {d.duplicates} duplicates, {d.incomplete} without "
            "input or expectation field)",
            d.path,
        )
        for d in facts.datasets[:5]
    ]


@probe("eval.entrypoint")
def entrypoint(facts: Facts) -> list[Finding]:
    pid = "eval.entrypoint"
    leaves = eval_leaves(facts)
    real = real_leaves(facts, leaves)
    if real:
        leaf = real[0]
        return [
            ok(
                pid,
                f"`{leaf.hops[1].text if len(leaf.hops) > 1 else leaf.text}` runs "
                f"`{leaf.text[:80]}`",
                leaf.hops[-1].path or None,
                leaf.hops[-1].line or None,
            )
        ]
    if leaves:
        leaf = leaves[0]
        return [
            fail(
                pid,
                f"eval entrypoint `{leaf.text[:60]}` does not reach any real evaluation code "
                f"({leaf.why_not or 'the resolved files are empty or missing'})",
                leaf.hops[-1].path or None,
                leaf.hops[-1].line or None,
            )
        ]
    return [
        fail(pid, "no eval entrypoint (make target, package script or console script named eval)")
    ]


@probe("eval.metrics")
def metrics(facts: Facts) -> list[Finding]:
    pid = "eval.metrics"
    for leaf in real_leaves(facts, eval_leaves(facts)):
        files, _ = facts.chain_context(leaf)
        hits = facts.repo.grep(
            METRICS, sorted(f for f in files if f.endswith(".py")), first_only=True, max_hits=1
        )
        if hits:
            return [
                ok(
                    pid,
                    f"quality metric in the eval code: `{hits[0].snippet[:80]}`",
                    hits[0].path,
                    hits[0].line,
                )
            ]
    for cfg in facts.threshold_candidates:
        if (
            "promptfoo" in cfg
            and facts.repo.text(cfg)
            and METRICS.search(facts.repo.text(cfg) or "")
        ):
            return [ok(pid, "quality assertions in the promptfoo config", cfg)]
    return [
        fail(
            pid,
            "no quality metric (groundedness, relevance, recall@k, ROUGE, F1 …) found in the "
            "code reached by an eval entrypoint",
        )
    ]


@probe("eval.results")
def results(facts: Facts) -> list[Finding]:
    pid = "eval.results"
    for leaf in real_leaves(facts, eval_leaves(facts)):
        files, _text = facts.chain_context(leaf)
        hits = facts.repo.grep(
            RESULTS, sorted(f for f in files if f.endswith(".py")), first_only=True, max_hits=1
        )
        if hits:
            return [
                ok(
                    pid,
                    f"writes machine-readable results: `{hits[0].snippet[:80]}`",
                    hits[0].path,
                    hits[0].line,
                )
            ]
        if RESULTS.search(" ".join(leaf.names())):
            return [ok(pid, f"the eval command writes results: `{leaf.text[:80]}`")]
    return [fail(pid, "the eval code does not write JSON/JSONL results")]


@probe("eval.ci_gate")
def ci_gate(facts: Facts) -> list[Finding]:
    pid = "eval.ci_gate"
    gates = facts.eval_gates
    if gates:
        return [
            run_ok(
                pid, f"{r.workflow.path} ({', '.join(sorted(r.workflow.effective_triggers()))})", r
            )
            for r in gates[:3]
        ]
    out = [run_not_gate(pid, "eval step", r) for r in facts.eval_runs_any if not r.gate][:5]
    for r in facts.eval_gate_candidates:
        out.append(
            fail(
                pid,
                f"the eval step `{r.leaf.text[:60]}` reaches no real evaluation code",
                r.path,
                r.line,
            )
        )
    if not out:
        ran = [r for r in facts.eval_runs_any]
        if ran:
            out = [
                fail(
                    pid,
                    f"{r.workflow.path} runs the eval only on "
                    f"{', '.join(sorted(r.workflow.effective_triggers()))}, not on "
                    "pull_request/push",
                    r.workflow.path,
                    r.step.line,
                )
                for r in ran[:3]
            ]
        else:
            out = [fail(pid, "no workflow runs an eval command")]
    return out


@probe("eval.threshold")
def threshold(facts: Facts) -> list[Finding]:
    pid = "eval.threshold"
    if not facts.eval_gates:
        return [fail(pid, "no gated eval step, so no threshold is enforced")]
    found, _sources = facts.gate_thresholds
    real = [t for t in found if t.kind == "min" and not t.trivial]
    trivial = [t for t in found if t.trivial]
    out = [
        info(
            pid,
            f"threshold `{t.key}` = {t.value:g} can never fail",
            None if t.source == "command line" else t.source,
        )
        for t in trivial[:5]
    ]
    if real:
        shown = ", ".join(f"{t.key}={t.value:g}" for t in real[:4])
        return [
            ok(
                pid,
                f"{len(real)} minimum threshold(s) enforced ({shown})",
                real[0].source if real[0].source != "command line" else None,
            ),
            *out,
        ]
    if trivial:
        return [
            fail(
                pid,
                "every minimum threshold read by the gated eval is trivial (0 or below)",
                trivial[0].source if trivial[0].source != "command line" else None,
            ),
            *out,
        ]
    cands = ", ".join(facts.threshold_candidates[:3])
    msg = "the gated eval reads no thresholds file and passes no threshold option"
    return [fail(pid, msg + (f" (not referenced: {cands})" if cands else ""))]


@probe("eval.dataset_wired")
def dataset_wired(facts: Facts) -> list[Finding]:
    pid = "eval.dataset_wired"
    good = facts.good_datasets()
    if not facts.eval_gates:
        return [fail(pid, "no gated eval step")]
    if not good:
        return [fail(pid, "no usable evaluation dataset to wire")]
    _found, sources = facts.gate_thresholds
    extra = "\n".join(facts.repo.text(s) or "" for s in sources)
    for run in facts.eval_gates:
        _files, text = facts.chain_context(run.leaf)
        for d in good:
            if facts.referenced(d.path, text + "\n" + extra):
                return [ok(pid, f"the gated eval in {run.workflow.path} reads {d.path}", d.path)]
    return [
        fail(
            pid,
            f"no gated eval chain refers to {', '.join(d.path for d in good[:3])}",
            good[0].path,
        )
    ]


@probe("eval.baseline")
def baseline(facts: Facts) -> list[Finding]:
    pid = "eval.baseline"
    files = [
        p
        for p in facts.repo.glob("**/baseline*/**")
        + facts.repo.glob("**/*baseline*.{json,jsonl,yaml,yml,csv}")
        if "/results/" not in p
    ]
    real = [p for p in files if len((facts.repo.text(p) or "").strip().strip("{}[]").strip()) > 10]
    if not real:
        return [
            fail(pid, "no committed, non-empty eval baseline (evals/baseline/, baseline*.json)")
        ]
    for leaf in real_leaves(facts, eval_leaves(facts)):
        _files, text = facts.chain_context(leaf)
        if re.search(r"baseline", text, re.I):
            return [ok(pid, f"baseline {real[0]} is compared by the eval code", real[0])]
    return [fail(pid, f"baseline {real[0]} exists but no eval code refers to a baseline", real[0])]


def is_online(facts: Facts, leaf: Leaf) -> bool:
    return (
        facts.is_eval(leaf)
        or any(MONITOR.search(h.text) for h in leaf.hops if h.kind in ("make", "module"))
        or bool(MONITOR.search(leaf.text))
    )


@probe("eval.online")
def online(facts: Facts) -> list[Finding]:
    pid = "eval.online"
    runs = list(facts.workflows.select(lambda lf: is_online(facts, lf), {"schedule"}))
    return gate_findings(
        pid, "scheduled eval", runs, "no scheduled workflow runs an evaluation or monitor command"
    )
