"""Generated repositories per `ci` answer: each has exactly its delivery systems, their checks
pass (checkov's azure_pipelines and github_actions frameworks, the Azure Pipelines schema),
and every make target and script a pipeline calls exists."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pipeline_facts import AZURE_REPOS_ONLY, NAMES, SUFFIX, WORKFLOWS, make_commands, steps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
import workflow_facts

ROOT = Path(__file__).resolve().parents[2]
AZURE_ONLY = ["mk/pipelines.mk", "deploy/azure_devops.py", "docs/azure-devops.md"]
SYSTEMS = {"github": (True, False), "azure_devops": (False, True), "both": (True, True)}


def defined_targets(repo: Path) -> set[str]:
    """Targets with a recipe or prerequisites (a name only listed in .PHONY is not one)."""
    proc = subprocess.run(
        ["make", "-pRrq", "-f", "Makefile", ":"], cwd=repo, capture_output=True, text=True
    )
    found = set()
    for block in proc.stdout.split("\n\n"):
        m = re.match(r"^(?:#[^\n]*\n)*([A-Za-z][\w.-]*):(?!=)(.*)$", block, re.MULTILINE)
        if m and (m.group(2).strip() or "#  recipe to execute" in block):
            found.add(m.group(1))
    return found


def called_targets(repo: Path) -> dict[str, set[str]]:
    called: dict[str, set[str]] = {}
    for path in sorted((repo / ".azure-pipelines").glob(f"*{SUFFIX}")):
        name = path.name
        for step in steps(path):
            for command in make_commands(step.script):
                for target in workflow_facts.make_targets(command):
                    called.setdefault(target, set()).add(name)
    return called


def make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("ci", list(SYSTEMS))
def test_each_answer_renders_exactly_its_delivery_systems(generated, ci):
    repo = generated({"ci": ci})
    github, azure = SYSTEMS[ci]
    assert (repo / ".github" / "workflows" / "ci.yml").is_file() is github
    assert (repo / ".github").exists() is github  # CODEOWNERS and dependabot are GitHub's too
    assert (repo / ".azure-pipelines").exists() is azure
    for rel in AZURE_ONLY:
        assert (repo / rel).is_file() is azure, rel
    assert re.search(rf"^ci: {ci}$", (repo / ".copier-answers.yml").read_text(), re.MULTILINE)
    targets = defined_targets(repo)
    assert ("lint-workflows" in targets) is github
    assert ({"lint-pipelines", "pr-comment", "monitor-work-item"} <= targets) is azure
    azure_repos = ci == "azure_devops"  # Renovate, where a GitHub-hosted repo has Dependabot
    assert (repo / "renovate.json").is_file() is azure_repos
    assert (repo / ".github" / "dependabot.yml").is_file() is github
    dependencies = repo / ".azure-pipelines" / f"dependencies{SUFFIX}"
    assert dependencies.is_file() is azure_repos
    if azure:
        for source in (ROOT / "pipelines").rglob("*.yml"):
            if source.name == dependencies.name and not azure_repos:
                continue
            rendered = repo / ".azure-pipelines" / source.relative_to(ROOT / "pipelines")
            # byte for byte the source, the Jinja markers stripped from the two comment lines
            assert rendered.read_text().splitlines()[1:-1] == source.read_text().splitlines()[1:-1]


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["azure_devops", "both"])
def test_every_target_and_script_a_pipeline_calls_exists(generated, ci):
    repo = generated({"ci": ci})
    targets = defined_targets(repo)
    called = called_targets(repo)
    assert {"lint", "lint-pipelines", "test", "iac-scan", "eval", "canary-rollback"} <= set(called)
    assert set(called) - targets == set(), called
    # the Python modules those targets run exist in the repository
    makefiles = "\n".join(p.read_text() for p in (repo / "mk").glob("*.mk"))
    modules = set(re.findall(r"(?:python|\$\(PYTHON\)) -m (deploy\.\w+)", makefiles))
    assert "deploy.azure_devops" in modules
    for module in modules:
        assert (repo / (module.replace(".", "/") + ".py")).is_file(), module


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["azure_devops", "both"])
def test_checkov_azure_pipelines_reports_no_failure_and_reads_every_pipeline(
    generated, checkov_bin, ci
):
    repo = generated({"ci": ci})
    proc = subprocess.run(
        [checkov_bin, "--framework", "azure_pipelines", "-d", ".azure-pipelines",
         "--skip-download", "-o", "json"],
        cwd=repo, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    report = json.loads(proc.stdout)
    summary = report["summary"]
    assert summary["failed"] == 0, report["results"]["failed_checks"]
    scanned = {c["file_path"].lstrip("/") for c in report["results"]["passed_checks"]}
    # every pipeline with jobs (and the stage template holding the canary job) was read
    extra = {f"{n}{SUFFIX}" for n in AZURE_REPOS_ONLY} if ci == "azure_devops" else set()
    expected = {f"{n}{SUFFIX}" for n in NAMES} | extra | {"templates/deploy-stage" + SUFFIX}
    assert scanned == expected
    assert proc.returncode == 0


@pytest.mark.slow
def test_a_repo_with_both_systems_passes_both_systems_checks(
    generated, checkov_bin, validate_pipelines
):
    repo = generated({"ci": "both"})
    pipelines = make(repo, "lint-pipelines", f"CHECKOV={checkov_bin}")
    assert pipelines.returncode == 0, pipelines.stdout[-3000:] + pipelines.stderr[-3000:]
    assert re.search(r"Passed checks: \d+, Failed checks: 0", pipelines.stdout)
    workflows = make(repo, "lint-workflows", f"CHECKOV={checkov_bin}")
    assert workflows.returncode == 0, workflows.stdout[-3000:] + workflows.stderr[-3000:]
    assert "No findings to report" in workflows.stdout + workflows.stderr
    files = sorted((repo / ".azure-pipelines").rglob("*.yml"))
    assert len(files) == 12
    findings = validate_pipelines(files)
    assert {f: d for f, d in findings.items() if d} == {}


@pytest.mark.slow
def test_a_use_case_without_search_has_no_index_refresh_on_either_system(generated):
    """Both systems render the same work: no index, no refresh-index workflow or pipeline."""
    repo = generated({"ci": "both", "use_case": "classification"})
    workflows = {p.stem for p in (repo / ".github" / "workflows").glob("*.yml")}
    pipelines = {
        p.name.removesuffix(SUFFIX) for p in (repo / ".azure-pipelines").glob(f"*{SUFFIX}")
    }
    assert "refresh-index" not in workflows | pipelines
    expected = {p for w in workflows for p in WORKFLOWS[w]} | set(AZURE_REPOS_ONLY)
    assert pipelines == expected - {"dependencies"}  # Renovate only for ci: azure_devops
    guide = (repo / "docs" / "azure-devops.md").read_text(encoding="utf-8")
    assert "refresh-index" not in guide and "genaiops-index" not in guide
