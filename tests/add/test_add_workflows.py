"""`genaiops add workflows` on repositories of real shapes: only the checks their CI lacks,
each running the repository's own command, every command resolvable, nothing run twice.

Expected jobs per shape were written down from the fixtures before running `add` (a job for
what the CI does not run and the repository has a command for, nothing else).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from resolve import unresolved
from shapes import commit, write

from generator.assess.run import assess_repo

BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/genaiops-ci.yml"
EXPECTED = {
    # shape: (jobs of the added workflow, make targets it calls, targets mk/genaiops-ci.mk defines)
    "pytest-actions": (
        ["lint", "typecheck"],
        ["deps", "lint", "typecheck"],
        ["deps", "lint", "typecheck"],
    ),
    "poetry-makefile": (["test", "lint"], ["deps", "test", "lint"], ["deps"]),
    "monorepo": (
        ["test", "lint", "typecheck"],
        ["deps", "test", "lint", "typecheck"],
        ["deps", "test", "lint", "typecheck"],
    ),
}
RECIPES = {
    "pytest-actions": [
        "python3 -m venv .venv && .venv/bin/python -m pip install --quiet -r requirements-dev.txt "
        "-r requirements.txt",
        ".venv/bin/python -m ruff check .",
        ".venv/bin/python -m mypy",
    ],
    "poetry-makefile": ["poetry install --no-interaction"],
    "monorepo": [
        "cd frontend && npm ci",
        "cd src/backend && uv sync --frozen",
        "cd frontend && npm run test",
        "cd src/backend && uv run pytest",
        "cd frontend && npm run lint",
        "cd src/backend && uv run ruff check .",
        "cd frontend && npm run typecheck",
        "cd src/backend && uv run mypy",
    ],
}


def _levels(root: Path) -> tuple[dict[str, int], float]:
    report = assess_repo(root)
    return {d.dimension.id: d.level for d in report.dimensions}, report.overall.score


def _lint(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_missing_checks_are_added_and_every_command_resolves(
    shape: Callable[[str], Path], cli, name: str
) -> None:
    root = shape(name)
    before = _levels(root)
    result = cli("add", "workflows", root, "--defaults")
    assert result.code == 0, result.err
    jobs, called, defined = EXPECTED[name]
    workflow = yaml.safe_load((root / WORKFLOW).read_text())
    assert list(workflow["jobs"]) == jobs
    calls = [
        s["run"].split()[1]
        for job in workflow["jobs"].values()
        for s in job["steps"]
        if s.get("run", "").startswith("make ")
    ]
    assert list(dict.fromkeys(calls)) == called
    mk = (root / "mk/genaiops-ci.mk").read_text()
    targets = [line.split(":")[0] for line in mk.splitlines() if line and line[0].isalpha()]
    assert targets == defined
    recipes = [line[1:] for line in mk.splitlines() if line.startswith("\t")]
    assert recipes == RECIPES[name]
    # the assess chain resolver follows every step to something the repository has ...
    assert unresolved(root) == []
    # ... and GNU make itself finds every target a job calls
    for target in called:
        dry = subprocess.run(["make", "-n", target], cwd=root, capture_output=True, text=True)
        assert dry.returncode == 0, f"make -n {target}: {dry.stderr}"
    # the added workflow passes the linters the template's own workflows pass
    actionlint = _lint([str(BIN / "actionlint"), "-no-color", WORKFLOW], root)
    assert actionlint.returncode == 0, actionlint.stdout + actionlint.stderr
    zizmor = _lint([str(BIN / "zizmor"), "--offline", "--no-progress", WORKFLOW], root)
    assert zizmor.returncode == 0 and "No findings" in zizmor.stdout + zizmor.stderr, (
        zizmor.stdout + zizmor.stderr
    )
    # assess goes up, never down
    commit(root, "genaiops add workflows")
    levels, score = _levels(root)
    assert all(levels[d] >= level for d, level in before[0].items()), (before[0], levels)
    assert score > before[1]


def test_an_existing_makefile_keeps_its_targets_and_default_goal(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("poetry-makefile")
    original = (root / "Makefile").read_text()
    assert cli("add", "workflows", root, "--defaults").code == 0
    text = (root / "Makefile").read_text()
    assert text.startswith(original)
    assert text[len(original) :].splitlines()[-1] == "include mk/*.mk"
    assert len(text.splitlines()) - len(original.splitlines()) == 3
    ours = subprocess.run(["make", "-n", "test"], cwd=root, capture_output=True, text=True)
    assert "poetry run pytest -q" in ours.stdout  # their own recipe, not one of ours
    default = subprocess.run(["make", "-n"], cwd=root, capture_output=True, text=True)
    assert "grep" in default.stdout  # still their `help`


def test_nothing_to_add_is_refused_with_the_plan_and_writes_nothing(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("existing-evals")
    before = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts
    )
    result = cli("add", "workflows", root, "--defaults")
    assert result.code == 2
    assert "nothing to add" in result.err
    assert "`python -m pytest -q` already runs on every change" in result.out
    assert "deploy workflow (canary, rollback): no Dockerfile" in result.out
    after = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts)
    assert after == before


def test_pretend_prints_the_plan_as_text_and_json_and_writes_nothing(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("monorepo")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True)
    text = cli("add", "workflows", root, "--defaults", "--pretend")
    assert text.code == 0
    assert "will add:" in text.out and "runs `uv run pytest` in src/backend" in text.out
    assert "will create (yours from then on):" in text.out and "include mk/*.mk" in text.out
    machine = cli("add", "workflows", root, "--defaults", "--pretend", "--format", "json")
    plan = json.loads(machine.out)["plan"]
    assert plan["capability"] == "workflows" and plan["refused"] is None
    assert plan["makefile"] == {"path": "Makefile", "create": True, "line": "include mk/*.mk"}
    actions = {(s["action"], s["what"]) for s in plan["steps"]}
    assert ("skip", "deploy workflow (canary, rollback)") in actions
    assert ("add", "CI workflow") in actions
    assert plan["answers"]["adapt"]["jobs"][0] == {"id": "test", "name": "tests", "target": "test"}
    assert not (root / "Makefile").exists() and not (root / "mk").exists()
    after = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True)
    assert after.stdout == status.stdout == b""


def test_a_deploy_is_planned_only_for_a_layout_genaiops_deploys(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("monorepo")
    write(
        root,
        {
            "src/backend/Dockerfile": "FROM python:3.12-slim\n",
            "infra/main.bicep": "param location string = resourceGroup().location\n",
        },
    )
    commit(root, "container and infra")
    plan = json.loads(
        cli("add", "workflows", root, "--defaults", "--pretend", "--format", "json").out
    )
    (deploy,) = [s for s in plan["plan"]["steps"] if s["what"].startswith("deploy")]
    assert deploy["action"] == "skip"
    assert "infrastructure of its own: bicep (infra/main.bicep)" in deploy["detail"]


def test_a_repository_on_azure_pipelines_is_told_what_fits(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("monorepo")
    write(root, {"azure-pipelines.yml": "trigger: [main]\nsteps:\n  - script: make test\n"})
    commit(root, "ado")
    result = cli("add", "workflows", root, "--defaults")
    assert result.code == 2
    assert "not GitHub Actions; genaiops adds checks only as GitHub workflows" in result.err
    pipelines = cli("add", "pipelines", root, "--defaults")  # nor Azure Pipelines, not generated
    assert pipelines.code == 2, pipelines.out
    assert "run the make targets and delivery code of a repository `genaiops new`" in (
        pipelines.err
    )
    assert not (root / ".azure-pipelines").exists() and not (root / "mk").exists()


def test_the_resolver_walk_catches_what_would_be_red(shape: Callable[[str], Path], cli) -> None:
    """The check above can fail: a missing target, a swallowed failure, an undeclared tool."""
    root = shape("pytest-actions")
    assert cli("add", "workflows", root, "--defaults").code == 0
    assert unresolved(root) == []
    mk = root / "mk/genaiops-ci.mk"
    good = mk.read_text()
    mk.write_text(good.replace("typecheck:", "type-check:"))
    assert any("make target `typecheck` not found" in p for p in unresolved(root))
    mk.write_text(good.replace("-m ruff check .", "-m ruff check . || true"))
    assert any("would not fail the step" in p for p in unresolved(root))
    mk.write_text(good.replace(".venv/bin/python -m mypy", "pyright"))
    assert any("`pyright` is neither" in p for p in unresolved(root))
    mk.write_text(good.replace(".venv/bin/python -m mypy", "npx pyright"))
    assert any("`pyright` is neither" in p for p in unresolved(root))
