"""Engineering baseline: tests and lockfile → lint, updates, owners → hardened workflows,
pre-commit → coverage floor and provenance."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from generator.assess.probes import probe
from generator.assess.probes._util import fail, gate_findings, ok
from generator.assess.workflows import CHANGE_EVENTS

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

TEST_DEF = re.compile(
    r"^[ \t]*(async\s+)?def\s+test_\w+|^[ \t]*(it|test)\s*\(|^func\s+Test\w+", re.M
)
LINT = re.compile(
    r"\bruff\b|\bflake8\b|\bpylint\b|\bmypy\b|\bpyright\b|\beslint\b|pre-commit\s+run|"
    r"black\s+--check|^(lint|typecheck|type-check|check|format-check|static)$",
    re.I,
)
LOCKFILES = (
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
    "Cargo.lock",
    "conda-lock.yml",
)
UNTRUSTED = re.compile(
    r"\$\{\{\s*github\.(event\.(issue|pull_request|comment|review|review_comment|pages|"
    r"head_commit|commits|discussion|workflow_run)\.(?!base\.)[\w.\[\]*]*(title|body|message|name|ref|label|email|"
    r"head_branch)|head_ref)\s*\}\}"
)
PROVENANCE = re.compile(
    r"actions/attest-build-provenance|actions/attest-sbom|actions/attest@|anchore/sbom-action|"
    r"slsa-framework/|\bsyft\b|cyclonedx|provenance:\s*(true|mode=max)|sbom:\s*true"
)
SHA = re.compile(r"@[0-9a-f]{40}$")


@probe("eng.tests")
def tests(facts: Facts) -> list[Finding]:
    pid = "eng.tests"
    count, where = 0, None
    for rel in facts.test_files[:2000]:
        n = len(TEST_DEF.findall(facts.repo.text(rel) or ""))
        if n and where is None:
            where = rel
        count += n
    if count:
        return [ok(pid, f"{count} test(s) defined", where)]
    return [fail(pid, "no test defined (test files are missing or empty)")]


@probe("eng.lockfile")
def lockfile(facts: Facts) -> list[Finding]:
    pid = "eng.lockfile"
    dirs = facts.project_dirs or [""]
    for d in dirs:
        for name in LOCKFILES:
            rel = f"{d}/{name}" if d else name
            if (
                facts.repo.exists(rel)
                and len((facts.repo.text(rel, limit=64 * 1024 * 1024) or "").splitlines()) >= 3
            ):
                return [ok(pid, f"{rel} is committed", rel)]
    for d in dirs:
        for rel in facts.repo.glob((f"{d}/" if d else "") + "requirements*.txt"):
            lines = [
                ln.strip()
                for ln in (facts.repo.text(rel) or "").splitlines()
                if ln.strip() and not ln.strip().startswith(("#", "-"))
            ]
            if lines and sum("==" in ln for ln in lines) >= 0.8 * len(lines):
                return [ok(pid, f"{rel} pins its dependencies", rel)]
    return [fail(pid, "no lockfile (uv.lock, poetry.lock, package-lock.json, pinned requirements)")]


@probe("eng.lint_ci")
def lint_ci(facts: Facts) -> list[Finding]:
    pid = "eng.lint_ci"
    runs = list(
        facts.workflows.select(lambda lf: any(LINT.search(n) for n in lf.names()), CHANGE_EVENTS)
    )
    return gate_findings(pid, "lint", runs, "no linter or type checker runs in CI")


@probe("eng.dependency_updates")
def dependency_updates(facts: Facts) -> list[Finding]:
    pid = "eng.dependency_updates"
    for rel in (".github/dependabot.yml", ".github/dependabot.yaml"):
        data = facts.repo.yaml(rel) if facts.repo.exists(rel) else None
        if isinstance(data, dict) and isinstance(data.get("updates"), list) and data["updates"]:
            ecosystems = [
                str(u.get("package-ecosystem")) for u in data["updates"] if isinstance(u, dict)
            ]
            return [ok(pid, f"Dependabot updates {', '.join(ecosystems)}", rel)]
        if facts.repo.exists(rel):
            return [fail(pid, f"{rel} has no update entries", rel)]
    for rel in (
        "renovate.json",
        "renovate.json5",
        ".github/renovate.json",
        ".github/renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
    ):
        if facts.repo.exists(rel) and len((facts.repo.text(rel) or "").strip()) > 2:
            return [ok(pid, "Renovate configured", rel)]
    return [fail(pid, "no Dependabot or Renovate configuration")]


def codeowners_rules(facts: Facts) -> tuple[str | None, list[tuple[str, list[str]]]]:
    for rel in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"):
        text = facts.repo.text(rel) if facts.repo.exists(rel) else None
        if text is not None:
            rules = []
            for line in text.splitlines():
                parts = line.split("#", 1)[0].split()
                if parts:
                    rules.append(
                        (parts[0], [p for p in parts[1:] if p.startswith("@") or "@" in p])
                    )
            return rel, rules
    return None, []


@probe("eng.codeowners")
def codeowners(facts: Facts) -> list[Finding]:
    pid = "eng.codeowners"
    rel, rules = codeowners_rules(facts)
    if rel and any(owners for _p, owners in rules):
        return [ok(pid, f"{len(rules)} ownership rule(s)", rel)]
    return [fail(pid, f"{rel} has no rule with an owner" if rel else "no CODEOWNERS file", rel)]


def _read_only(perms: Any) -> bool:
    if perms is None:
        return False
    if isinstance(perms, str):
        return perms in ("read-all", "{}", "")
    if isinstance(perms, dict):
        return all(str(v) in ("read", "none") for v in perms.values())
    return False


def _first_line(text: str) -> int:
    """The first line holding YAML (not blank, not a comment): where a whole file is cited."""
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            return i
    return 1


@probe("eng.permissions")
def permissions(facts: Facts) -> list[Finding]:
    pid = "eng.permissions"
    wfs = facts.workflows.github
    if not wfs:
        return [fail(pid, "no GitHub Actions workflows")]
    out = []
    for wf in wfs:
        if not wf.has_permissions:
            out.append(
                fail(
                    pid,
                    f"{wf.path} has no top-level permissions (the token gets the repository "
                    "default)",
                    wf.path,
                    _first_line(facts.repo.text(wf.path) or ""),
                )
            )
        elif not _read_only(wf.permissions):
            out.append(
                fail(
                    pid,
                    f"{wf.path} grants write permissions at the top level",
                    wf.path,
                    wf.permissions_line,
                )
            )
    return out or [ok(pid, f"all {len(wfs)} workflow(s) restrict the token at the top level")]


@probe("eng.pinned_actions")
def pinned_actions(facts: Facts) -> list[Finding]:
    pid = "eng.pinned_actions"
    wfs = facts.workflows.github
    if not wfs:
        return [fail(pid, "no GitHub Actions workflows")]
    out, total = [], 0
    for wf in wfs:
        for job in wf.jobs.values():
            refs = [(job.uses, job.line)] if job.uses else []
            refs += [(s.uses, s.line) for s in job.steps if s.uses]
            for uses, line in refs:
                if not uses or uses.startswith(("./", "docker://")):
                    continue
                total += 1
                if not SHA.search(uses.strip()):
                    out.append(fail(pid, f"`{uses}` is not pinned to a commit SHA", wf.path, line))
    return out[:10] or [ok(pid, f"{total} action reference(s), all pinned to a commit SHA")]


@probe("eng.dangerous_workflows")
def dangerous_workflows(facts: Facts) -> list[Finding]:
    pid = "eng.dangerous_workflows"
    wfs = facts.workflows.github
    if not wfs:
        return [fail(pid, "no GitHub Actions workflows")]
    out = []
    for wf in wfs:
        privileged = {"pull_request_target", "workflow_run"} & set(wf.triggers)
        for job in wf.jobs.values():
            for step in job.steps:
                ref = str(step.with_.get("ref", ""))
                if (
                    privileged
                    and step.uses
                    and "actions/checkout" in step.uses
                    and re.search(r"pull_request\.head|head_ref|workflow_run\.head|refs/pull", ref)
                ):
                    out.append(
                        fail(
                            pid,
                            f"{'/'.join(sorted(privileged))} job `{job.id}` checks out untrusted "
                            "code",
                            wf.path,
                            step.line,
                        )
                    )
                m = UNTRUSTED.search(step.run or "")
                if m:
                    out.append(
                        fail(
                            pid,
                            f"untrusted `{m.group(0)}` expanded inside a run script",
                            wf.path,
                            step.line,
                        )
                    )
    return out or [ok(pid, f"no dangerous pattern in {len(wfs)} workflow(s)")]


@probe("eng.pre_commit")
def pre_commit(facts: Facts) -> list[Finding]:
    pid = "eng.pre_commit"
    rel = ".pre-commit-config.yaml"
    data = facts.repo.yaml(rel) if facts.repo.exists(rel) else None
    hooks = (
        [
            h
            for r in (data.get("repos") or [])
            if isinstance(r, dict)
            for h in (r.get("hooks") or [])
        ]
        if isinstance(data, dict) and isinstance(data.get("repos"), list)
        else []
    )
    if hooks:
        return [ok(pid, f"{len(hooks)} pre-commit hook(s)", rel)]
    return [
        fail(
            pid,
            f"{rel} has no hooks" if facts.repo.exists(rel) else "no .pre-commit-config.yaml",
            rel if facts.repo.exists(rel) else None,
        )
    ]


@probe("eng.coverage")
def coverage(facts: Facts) -> list[Finding]:
    pid = "eng.coverage"
    files = (
        [
            p
            for p in (
                "pyproject.toml",
                "setup.cfg",
                ".coveragerc",
                "tox.ini",
                "pytest.ini",
                "Makefile",
            )
            if facts.repo.exists(p)
        ]
        + facts.repo.glob("mk/*.mk")
        + facts.repo.glob(".github/workflows/*.{yml,yaml}")
    )
    rx = re.compile(r"(--cov-fail-under[= ]|fail_under\s*=\s*)(\d+(?:\.\d+)?)")
    for rel in files:
        text = facts.repo.text(rel) or ""
        for m in rx.finditer(text):
            if float(m.group(2)) > 0:
                return [
                    ok(
                        pid,
                        f"coverage floor {m.group(2)}%",
                        rel,
                        text.count(chr(10), 0, m.start()) + 1,
                    )
                ]
    return [fail(pid, "no coverage threshold above 0")]


@probe("eng.provenance")
def provenance(facts: Facts) -> list[Finding]:
    pid = "eng.provenance"
    for wf in facts.workflows.workflows:
        text = facts.repo.text(wf.path) or ""
        m = PROVENANCE.search(text)
        if m:
            return [
                ok(
                    pid,
                    f"`{m.group(0)}` in {wf.path}",
                    wf.path,
                    text.count(chr(10), 0, m.start()) + 1,
                )
            ]
    return [fail(pid, "no SBOM or provenance attestation in any workflow")]
