"""Prompts & experiments: prompt files loaded by code → metadata and tests → versions,
owners, eval on change → automated variant comparison."""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from generator.assess.probes import probe
from generator.assess.probes._util import fail, hit_ok, ok, run_ok
from generator.assess.probes.engineering import codeowners_rules

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

# a prompt as a constant or an agent's instructions written in code
INLINE_PROMPT = re.compile(
    r"^[ \t]*[A-Z_]*(?:PROMPT|INSTRUCTIONS?|SYSTEM_MESSAGE)[A-Z_]*\s*(?::\s*\w+\s*)?=\s*"
    r"[fr]?(?:\"\"\"|'''|[\"'][^\"'\n]{80,})|"
    r"\binstructions\s*=\s*(?:[fr]?(?:\"\"\"|'''|[\"'][^\"'\n]{80,})|\(\s*$)",
    re.M,
)
COMPARE = re.compile(r"(^|[-_./])(compare|experiment\w*|variants?|ab[-_]?test)([-_./]|$)", re.I)


@probe("prompts.files")
def files(facts: Facts) -> list[Finding]:
    pid = "prompts.files"
    prompts = facts.prompt_files
    if not prompts:
        inline = facts.code_grep(INLINE_PROMPT, facts.app_code)
        if inline:  # the practice exists by hand: prompts kept in code, not as assets
            return [hit_ok(pid, "prompt kept inline in code (no prompt files)", inline[0])]
        return [fail(pid, "no non-trivial prompt files (prompts/, *.prompty, flow definitions)")]
    names = {p.rsplit("/", 1)[-1] for p in prompts}
    rx = re.compile(
        r"[\"'/]prompts\b|\.prompty\b|" + "|".join(re.escape(n) for n in sorted(names)[:50])
    )
    configs = [
        p
        for p in facts.repo.glob("**/*.{yaml,yml,json,toml}")
        if p not in prompts and not p.startswith(".github/")
    ][:500]
    hits = facts.repo.grep(rx, facts.app_code, first_only=True, max_hits=1) or facts.repo.grep(
        rx, configs, first_only=True, max_hits=1
    )
    if hits:
        return [
            ok(pid, f"{len(prompts)} prompt file(s)", prompts[0]),
            hit_ok(pid, "loaded by", hits[0]),
        ]
    return [
        fail(
            pid, f"{len(prompts)} prompt file(s) but no application code refers to them", prompts[0]
        )
    ]


@probe("prompts.metadata")
def has_metadata(facts: Facts) -> list[Finding]:
    pid = "prompts.metadata"
    prompts = facts.prompt_files
    if not prompts:
        return [fail(pid, "no prompt files")]
    out = []
    for rel in prompts:
        meta = facts.prompt_metadata(rel)
        ident = any(k in meta for k in ("id", "name"))
        params = any(
            k in meta
            for k in (
                "model",
                "execution_settings",
                "parameters",
                "temperature",
                "input_variables",
                "inputs",
                "variables",
                "model_parameters",
            )
        )
        if not (ident and params):
            out.append(
                fail(
                    pid,
                    f"{rel} has no metadata with an id/name and model parameters or inputs",
                    rel,
                )
            )
    return out or [ok(pid, f"all {len(prompts)} prompt file(s) carry metadata", prompts[0])]


@probe("prompts.tested")
def tested(facts: Facts) -> list[Finding]:
    pid = "prompts.tested"
    tests = [p for p in facts.test_files if p.endswith(".py")]
    hits = facts.code_grep(  # code, not a comment such as "# mock the prompt loader"
        re.compile(r"(load|render|format)\w*.*prompt|prompt\w*.*(load|render|format)", re.I),
        tests,
    )
    if hits and not re.search(r"\bmock|patch\(", hits[0].snippet, re.I):
        return [hit_ok(pid, "prompt test", hits[0])]
    return [fail(pid, "no test loads or renders the prompts")]


@probe("prompts.versioned")
def versioned(facts: Facts) -> list[Finding]:
    pid = "prompts.versioned"
    prompts = facts.prompt_files
    if not prompts:
        return [fail(pid, "no prompt files")]
    out = []
    for rel in prompts:
        version = facts.prompt_metadata(rel).get("version")
        if version in (None, "", 0):
            out.append(fail(pid, f"{rel} declares no version", rel))
    return out or [ok(pid, f"all {len(prompts)} prompt file(s) are versioned", prompts[0])]


def _covers(patterns: list[str], rel: str) -> bool:
    for pattern in patterns:
        p = pattern.strip().removeprefix("./")
        if p in ("**", "**/*", "*", "/", "/**"):
            return True
        anchored = p.startswith("/")
        p = p.lstrip("/").removesuffix("/**").rstrip("/")
        if rel == p or rel.startswith(p + "/"):
            return True
        pats = [p] if anchored else [p, "*/" + p, "**/" + p]
        if any(fnmatch.fnmatch(rel, x) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], x) for x in pats):
            return True
    return False


@probe("prompts.change_triggers_eval")
def change_triggers_eval(facts: Facts) -> list[Finding]:
    pid = "prompts.change_triggers_eval"
    prompts = facts.prompt_files
    if not facts.eval_gates:
        return [fail(pid, "no gated eval workflow")]
    if not prompts:
        return [fail(pid, "no prompt files")]
    for run in facts.eval_gates:
        wf = run.workflow
        for event in ("pull_request", "push", "merge_group"):
            if event not in wf.effective_triggers():
                continue
            flt = wf.paths_filter(event)
            if flt is None:
                return [run_ok(pid, f"every change ({event}) runs the eval gate", run)]
            paths, ignore = flt
            if (paths and all(_covers(paths, p) for p in prompts)) or (
                ignore and not any(_covers(ignore, p) for p in prompts)
            ):
                return [run_ok(pid, f"the {event} path filter includes the prompts", run)]
    return [
        fail(
            pid,
            "the eval gate's path filters leave prompt changes out",
            facts.eval_gates[0].workflow.path,
        )
    ]


@probe("prompts.owned")
def owned(facts: Facts) -> list[Finding]:
    pid = "prompts.owned"
    rel, rules = codeowners_rules(facts)
    prompts = facts.prompt_files
    if not prompts:
        return [fail(pid, "no prompt files")]
    if not rel:
        return [fail(pid, "no CODEOWNERS file")]
    unowned = []
    for p in prompts:
        owners: list[str] = []
        for pattern, who in rules:  # the last matching rule wins
            if _covers([pattern], p):
                owners = who
        if not owners:
            unowned.append(p)
    if unowned:
        return [
            fail(
                pid, f"{len(unowned)} prompt file(s) without a code owner (e.g. {unowned[0]})", rel
            )
        ]
    return [ok(pid, "code owners review the prompts", rel)]


@probe("prompts.variants.compared")
def variants(facts: Facts) -> list[Finding]:
    pid = "prompts.variants.compared"
    runs = [
        r
        for r in facts.workflows.select(
            lambda lf: (
                any(
                    COMPARE.search(h.text)
                    for h in lf.hops
                    if h.kind in ("make", "module", "package-script")
                )
                or bool(COMPARE.search(lf.text))
            )
        )
        if r.gate
    ]
    for run in runs:
        files, _ = facts.chain_context(run.leaf)
        if any(f.endswith(".py") for f in files) or "promptfoo" in run.leaf.text:
            return [run_ok(pid, "variant comparison automated", run)]
    for rel in facts.repo.glob("**/experiment*.{yaml,yml}") + facts.repo.glob(
        "**/promptfooconfig.{yaml,yml}"
    ):
        data = facts.repo.yaml(rel)
        if isinstance(data, dict):
            variants_ = data.get("variants") or data.get("prompts") or data.get("providers")
            if isinstance(variants_, list | dict) and len(variants_) >= 2:
                return [ok(pid, f"experiment with {len(variants_)} variants", rel)]
    return [fail(pid, "no automated comparison of prompt variants")]
