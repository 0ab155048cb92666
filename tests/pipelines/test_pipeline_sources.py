"""pipelines/: the single source of the Azure Pipelines, checked as it is shipped.

The reference for behaviour is the GitHub workflows in workflows/: each pipeline must run the
same make targets (the system-specific ones excepted), with the same identities.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pipeline_facts import (
    AZURE_REPOS_ONLY,
    NAMES,
    SUFFIX,
    WORKFLOWS,
    jobs,
    load,
    make_commands,
    steps,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
import workflow_facts

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "pipelines"
STUBS = ROOT / "template" / ".azure-pipelines"
OPEN = "# genaiops-managed pipeline {%- raw %}"
CLOSE = "# end of genaiops-managed pipeline {%- endraw %}"

# Targets only one system has, and their counterpart on the other.
ONLY_GITHUB = {"lint-workflows", "monitor-issue"}
ONLY_AZURE = {"lint-pipelines", "pr-comment", "monitor-work-item", "dependency-updates"}
EVERY = NAMES + AZURE_REPOS_ONLY


def sources() -> list[Path]:
    return sorted(SOURCES.rglob("*.yml"))


def pipeline(name: str) -> Path:
    return SOURCES / f"{name}{SUFFIX}"


def test_every_source_has_exactly_one_stub_that_mirrors_its_path():
    def rendered(stub: Path) -> str:
        """The stub's path with a render condition taken out (`{% if x %}NAME{% endif %}`)."""
        return re.sub(r"\{%.*?%\}", "", stub.relative_to(STUBS).as_posix())

    stubs = sorted(STUBS.rglob("*.jinja"), key=rendered)
    assert [rendered(s) for s in stubs] == [
        f"{p.relative_to(SOURCES).as_posix()}.jinja" for p in sources()
    ]
    for stub, source in zip(stubs, sources(), strict=True):
        target = source.relative_to(ROOT).as_posix()
        assert stub.read_text() == f"{{% include '{target}' %}}", stub


def test_sources_are_raw_wrapped_yaml_named_for_checkov():
    assert {p.name for p in SOURCES.glob("*.yml")} == {f"{n}{SUFFIX}" for n in EVERY}
    for path in sources():
        lines = path.read_text().splitlines()
        assert lines[0] == OPEN and lines[-1] == CLOSE, path
        # checkov's azure_pipelines framework only reads files named *azure-pipelines.yml
        assert path.name.endswith("azure-pipelines.yml"), path
        assert "{%" not in "\n".join(lines[1:-1]), f"{path}: Jinja inside the raw block"
        load(path)


def test_template_references_resolve_and_every_template_is_used():
    used: set[Path] = set()
    for path in sources():
        for ref in re.findall(r"^\s*-?\s*template:\s*(\S+)", path.read_text(), re.MULTILINE):
            target = (path.parent / ref).resolve()
            assert target.is_file(), f"{path.name}: template {ref} does not exist"
            used.add(target)
    assert used == {p.resolve() for p in (SOURCES / "templates").glob("*.yml")}


def _targets(commands: list[str]) -> set[str]:
    found: set[str] = set()
    for command in commands:
        found |= workflow_facts.make_targets(command)
    return found


def _pipeline_commands(workflow: str) -> list[str]:
    return [
        c
        for name in WORKFLOWS[workflow]
        for s in steps(pipeline(name))
        for c in make_commands(s.script)
    ]


def _workflow_commands(name: str) -> list[str]:
    workflow = workflow_facts.load(ROOT / "workflows" / f"{name}.yml")
    return [c for _, s in workflow_facts.steps(workflow) for c in make_commands(s.get("run", ""))]


def test_every_workflow_has_its_pipelines():
    assert {p.stem for p in (ROOT / "workflows").glob("*.yml")} == set(WORKFLOWS)


@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_each_workflow_and_its_pipelines_run_the_same_targets(name):
    pipeline_side = _targets(_pipeline_commands(name))
    github_side = _targets(_workflow_commands(name))
    assert github_side, f"workflows/{name}.yml runs no make target?"
    assert pipeline_side - ONLY_AZURE >= github_side - ONLY_GITHUB


def _normalized(command: str) -> str:
    """A make command line with the values each system supplies from its own variables
    (``VAR="$x"``, ``VAR="$(...)"``) reduced to ``VAR=$``; literal values stay."""
    command = command.removeprefix("make -s ").removeprefix("make ")
    command = re.sub(r'\b([A-Z_]+)="\$[^"]*"', r"\1=$", command)
    return command.split(" |")[0]


@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_the_make_command_lines_match_the_workflows_word_for_word(name):
    def lines(commands: list[str]) -> set[str]:
        return {_normalized(c) for c in commands if c.split()[-1] not in ONLY_AZURE}

    ours = {c for c in lines(_pipeline_commands(name)) if c.split()[0] not in ONLY_AZURE}
    github = {c for c in lines(_workflow_commands(name)) if c.split()[0] not in ONLY_GITHUB}
    assert github <= ours, name


def test_rollback_runs_on_failure_and_on_cancel_and_nothing_may_fail_silently():
    for path in sources():
        text = path.read_text()
        assert "continueOnError" not in text, path
        assert not re.search(r"\|\|\s*(true|:)\b", text), path
    rollback = [s for s in steps(pipeline("deploy")) if "canary-rollback" in s.script]
    assert len(rollback) == 1
    assert rollback[0].raw["condition"] == "or(failed(), canceled())"
    deploy = jobs(pipeline("deploy"))["deploy_prod.canary"]
    assert deploy["environment"] == "prod" and int(deploy["cancelTimeoutInMinutes"]) >= 10


def test_multi_command_scripts_fail_on_the_first_failing_command():
    # Azure Pipelines runs bash steps without -e: a pipe or a second line could hide a failure
    for path in map(pipeline, EVERY):
        for step in steps(path):
            script = step.script.strip()
            if "|" in script or len(script.splitlines()) > 1:
                first = script.splitlines()[0]
                guarded = first.startswith("set -euo pipefail")
                informational = step.raw.get("condition") in ("succeededOrFailed()", "always()")
                only_make = len(make_commands(script)) == 1 and "|" not in script
                assert guarded or informational or only_make, (path.name, script)


def test_azure_access_is_workload_identity_only(contract):
    # the variable group holds the contract's (non-secret) variables, the GitHub variables'
    # names; client ids, tenant and subscription live in the service connections
    group_variables = {v.name for v in contract.VARIABLES}
    connections = {}
    for path in sources():
        text = path.read_text()
        assert not re.search(r"(?i)client.?secret|password|addSpnToEnvironment", text), path
    for path in map(pipeline, EVERY):
        for step in steps(path):
            # secret variables reach a script only when mapped in env: only the job's own
            # token may be, besides predefined (non-secret) System./Build. variables
            mapped = re.findall(r"\$\((\w+(?:\.\w+)*)\)", str(step.raw.get("env", {})))
            user = [
                v
                for v in mapped
                if not v.startswith(("System.", "Build.")) and v not in group_variables
            ]
            assert user == [], (path.name, user)
            if step.raw.get("task", "").startswith("AzureCLI@"):
                connections[step.job, step.script.split()[-1]] = step.raw["inputs"][
                    "azureSubscription"
                ]
    assert connections  # every Azure step goes through a service connection


@pytest.fixture(scope="module")
def contract(generated):
    """A generated repo's deploy/contract.py (it reads the rendered use case registry)."""
    repo = generated()
    sys.path.insert(0, str(repo))
    try:
        for name in [n for n in sys.modules if n == "deploy" or n.startswith("deploy.")]:
            del sys.modules[name]
        import deploy.contract as module
    finally:
        sys.path.remove(str(repo))
    return module


@pytest.mark.parametrize("name", list(WORKFLOWS))
def test_pipelines_sign_in_as_the_identities_their_workflow_uses(name, contract):
    """The identity contract (deploy/contract.py): each GitHub job's client-id variable names
    an identity; its pipelines reach Azure through that identity's service connection."""
    by_variable = {i.variable: i for i in contract.IDENTITIES if i.variable}
    workflow = workflow_facts.load(ROOT / "workflows" / f"{name}.yml")
    expected = set()
    for _, step in workflow_facts.steps(workflow):
        if str(step.get("uses", "")).startswith("azure/login@"):
            variable = re.fullmatch(r"\$\{\{ vars\.(\w+) \}\}", step["with"]["client-id"])
            assert variable, step
            expected.add(contract.service_connection(by_variable[variable.group(1)]))
    used = {
        s.raw["inputs"]["azureSubscription"]
        for p in WORKFLOWS[name]
        for s in steps(pipeline(p))
        if s.raw.get("task", "").startswith("AzureCLI@")
    }
    shared = {"eval-real"}  # serves both ci and prompt-compare: compare per workflow's jobs
    if shared & set(WORKFLOWS[name]):
        assert expected <= used, name
    else:
        assert used == expected, name


def test_deploy_hands_the_image_on_like_the_workflow():
    build, start = (
        next(s for s in steps(pipeline("deploy")) if f"make {t}" in s.script)
        for t in ("image-build", "canary-start")
    )
    assert build.job == start.job  # the IMAGE variable set by image-build reaches canary-start
    workflow = workflow_facts.load(ROOT / "workflows" / "deploy.yml")
    started = next(
        s for _, s in workflow_facts.steps(workflow) if s.get("run") == "make canary-start"
    )
    assert started["env"] == {"IMAGE": "${{ steps.image.outputs.image }}"}
