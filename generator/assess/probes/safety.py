"""Safety, security & responsible AI: no secrets → guardrails → safety gate, keyless →
red teaming and policy as code."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess import secrets
from generator.assess.collect import line_of
from generator.assess.probes import probe
from generator.assess.probes._util import fail, hit_ok, info, ok, run_ok
from generator.assess.probes.monitoring import iac_files
from generator.assess.workflows import CHANGE_EVENTS

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

SCAN_GLOBS = (
    "**/*.{py,ts,js,yaml,yml,toml,ini,cfg,env,bicep,bicepparam,tf,tfvars,sh,ps1,properties}",
    "**/.env",
    "**/.env.*",
    "*.json",
    "*/*.json",
    "{infra,deploy,config,.vscode,.devcontainer}/**/*.json",
)
SCAN_BUDGET = 2000
GUARD = re.compile(
    r"ContentSafetyClient|azure\.ai\.contentsafety|shieldPrompt|prompt[_ ]?shields?|"
    r"prompt[ _-]?injection|jailbreak|\bguardrails?\b|nemoguardrails|llm_guard|presidio",
    re.I,
)
SAFETY_TOOL = re.compile(
    r"promptfoo\s+redteam|\bgarak\b|\bpyrit\b|red[-_ ]?team|safety[-_]?eval|"
    r"ContentSafetyEvaluator|ViolenceEvaluator|IndirectAttackEvaluator|ProtectedMaterial",
    re.I,
)
SAFETY_TEST = re.compile(r"injection|jailbreak|guardrail|content[_ ]?safety|harmful|unsafe", re.I)
KEYLESS_IAC = re.compile(r"disableLocalAuth:\s*true|local_auth_enabled\s*=\s*false")
KEYLESS_CODE = re.compile(
    r"DefaultAzureCredential|ManagedIdentityCredential|get_bearer_token_provider|"
    r"WorkloadIdentityCredential"
)


def _scan_files(facts: Facts) -> list[str]:
    out: dict[str, None] = {}
    # tests and fixtures hold fake keys on purpose; built bundles are someone else's code
    skip = re.compile(
        r"(^|/)(tests?|fixtures?|testdata|static/assets|public/assets)/|\.min\.js$|\.map$"
    )
    for pattern in SCAN_GLOBS:
        for rel in facts.repo.glob(pattern):
            if not skip.search(rel):
                out.setdefault(rel, None)
    files = sorted(out, key=lambda p: (p.count("/"), p))
    if len(files) > SCAN_BUDGET:
        facts.repo.note(
            "truncated",
            ".",
            f"secret scan limited to the {SCAN_BUDGET} shallowest of {len(files)} files",
        )
    return files[:SCAN_BUDGET]


@probe("safety.no_secrets")
def no_secrets(facts: Facts) -> list[Finding]:
    pid = "safety.no_secrets"
    out: list[Finding] = []
    files = _scan_files(facts)
    for rel in files:
        base = rel.rsplit("/", 1)[-1]
        text = facts.repo.text(rel)
        if text is None:
            continue
        env_file = base == ".env" or (
            base.startswith(".env.")
            and base not in (".env.example", ".env.sample", ".env.template", ".env.dist")
        )
        if env_file:
            for name, pos, fp in secrets.env_values(text)[:3]:
                out.append(
                    fail(
                        pid,
                        f"{rel} is committed with a value for {name} ({fp})",
                        rel,
                        line_of(text, pos),
                    )
                )
            continue
        for found in secrets.find(text):
            out.append(
                fail(
                    pid, f"possible {found.kind} {found.fingerprint}", rel, line_of(text, found.pos)
                )
            )
        if len(out) >= 10:
            break
    if out:
        return out
    return [ok(pid, f"no secret patterns in {len(files)} scanned files (test folders not scanned)")]


@probe("safety.env_ignored")
def env_ignored(facts: Facts) -> list[Finding]:
    pid = "safety.env_ignored"
    ignores = [".gitignore"] + [p for p in facts.repo.glob("**/.gitignore") if p != ".gitignore"]
    ignored_in = None
    for rel in ignores[:50]:
        body = facts.repo.text(rel) or ""
        if re.search(r"^/?(\*\*/)?(\.env|\.env\*|\*\.env|\.env\.\*|\.env\.local)\s*$", body, re.M):
            ignored_in = rel
            break
    text = facts.repo.text(".gitignore") or ""
    ignored = ignored_in is not None
    example = next(
        (
            p
            for p in facts.repo.glob("**/{.env.example,.env.sample,.env.template,example.env}")
            + facts.repo.glob("**/.env.*.example")
            if p.count("/") <= 3 and "node_modules" not in p
        ),
        None,
    )
    out = []
    out.append(
        ok(pid, f".env is git-ignored ({ignored_in})", ignored_in)
        if ignored
        else fail(pid, ".gitignore does not ignore .env", ".gitignore" if text else None)
    )
    out.append(
        ok(pid, f"{example} documents the settings", example)
        if example
        else info(pid, "no .env.example documents the settings (recommended, not required)")
    )
    return out


@probe("safety.guardrails")
def guardrails(facts: Facts) -> list[Finding]:
    pid = "safety.guardrails"
    hits = facts.repo.grep(GUARD, facts.app_code, first_only=True, max_hits=1)
    named = [
        p
        for p in facts.app_code
        if re.search(r"guard|safety|moderat|shield", p.rsplit("/", 1)[-1], re.I)
    ]
    candidates = [h.path for h in hits] + [p for p in named if p not in {h.path for h in hits}]
    if not candidates:
        return [
            fail(
                pid,
                "no guardrails (content safety, prompt-injection screening) in application code",
            )
        ]
    for path in candidates:
        stem = path.rsplit("/", 1)[-1].removesuffix(".py")
        rx = re.compile(
            rf"^[ \t]*(from\s+[\w.]*\b{re.escape(stem)}\s+import|"
            rf"import\s+[\w.]*\b{re.escape(stem)}\b|"
            rf"from\s+[\w.]+\s+import\s+.*\b{re.escape(stem)}\b)",
            re.M,
        )
        users = facts.repo.grep(
            rx, [p for p in facts.app_code if p != path], first_only=True, max_hits=1
        )
        if users:
            return [
                ok(pid, "guardrails module", path),
                hit_ok(pid, "used in the request path", users[0]),
            ]
    return [
        fail(
            pid,
            f"guardrail code in {candidates[0]} is not imported by any other application module",
            candidates[0],
        )
    ]


@probe("safety.rai_docs")
def rai_docs(facts: Facts) -> list[Finding]:
    pid = "safety.rai_docs"
    docs = (facts.repo.glob("*.md") + facts.repo.glob("docs/**/*.md"))[:200]
    for rel in docs:
        text = facts.repo.text(rel) or ""
        if re.search(r"intended use", text, re.I) and re.search(r"limitation", text, re.I):
            return [ok(pid, "intended use and limitations documented", rel)]
    return [fail(pid, "no document states intended use and limitations")]


@probe("safety.tested_in_ci")
def tested_in_ci(facts: Facts) -> list[Finding]:
    pid = "safety.tested_in_ci"
    for run in facts.workflows.select(
        lambda lf: any(SAFETY_TOOL.search(n) for n in lf.names()), CHANGE_EVENTS
    ):
        if run.gate:
            return [run_ok(pid, "safety evaluation gate", run)]
    tests = [r for r in facts.workflows.select(facts.is_test, CHANGE_EVENTS) if r.gate]
    if tests:
        hits = facts.code_grep(SAFETY_TEST, [p for p in facts.test_files if p.endswith(".py")])
        if hits:
            return [
                run_ok(pid, "CI runs the tests", tests[0]),
                hit_ok(pid, "which include safety tests", hits[0]),
            ]
        return [
            fail(pid, "CI runs the tests but none covers injection, jailbreak or unsafe content")
        ]
    return [fail(pid, "no safety evaluation or safety tests run as a CI gate")]


@probe("safety.keyless")
def keyless(facts: Facts) -> list[Finding]:
    pid = "safety.keyless"
    hits = facts.repo.grep(KEYLESS_IAC, iac_files(facts), first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, "key auth disabled in IaC", hits[0])]
    hits = facts.repo.grep(KEYLESS_CODE, facts.app_code, first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, "the app authenticates with an identity", hits[0])]
    return [
        fail(
            pid,
            "model endpoints keep key auth (no disableLocalAuth in IaC, no identity credential in "
            "code)",
        )
    ]


@probe("safety.redteam")
def redteam(facts: Facts) -> list[Finding]:
    pid = "safety.redteam"
    for run in facts.workflows.select(
        lambda lf: any(SAFETY_TOOL.search(n) for n in lf.names()), {"schedule"}
    ):
        if run.gate:
            return [run_ok(pid, "scheduled red teaming", run)]
    return [fail(pid, "no scheduled red-team or safety evaluation")]


@probe("safety.policy_as_code")
def policy_as_code(facts: Facts) -> list[Finding]:
    pid = "safety.policy_as_code"
    for rel in facts.repo.glob("**/*.{yaml,yml}"):
        if not re.search(r"polic|checkov|rules?", rel, re.I):
            continue
        data = facts.repo.yaml(rel)
        if (
            isinstance(data, dict)
            and isinstance(data.get("metadata"), dict)
            and "definition" in data
        ):
            return [ok(pid, "custom checkov policy", rel)]
        if (
            isinstance(data, dict)
            and str(data.get("kind", "")).lower() == "rule"
            and "spec" in data
        ):
            return [ok(pid, "PSRule rule", rel)]
    for rel in facts.repo.glob("**/*.rego") + facts.repo.glob("**/*.Rule.ps1"):
        if (facts.repo.text(rel) or "").strip():
            return [ok(pid, "policy as code", rel)]
    for rel in facts.repo.glob("**/*.json"):
        if re.search(r"polic", rel, re.I) and '"policyRule"' in (facts.repo.text(rel) or ""):
            return [ok(pid, "Azure Policy definition", rel)]
    return [
        fail(
            pid,
            "no custom policies (checkov YAML, PSRule, OPA/conftest, Azure Policy) in the "
            "repository",
        )
    ]
