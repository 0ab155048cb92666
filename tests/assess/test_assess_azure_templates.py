"""Azure Pipelines written the way larger pipelines are: one stage template per environment and
one step template that runs a command with an Azure CLI session. Parameters name the stage, the
job's environment and the command; a step template that swallows failures hides every deploy
behind it; and the settings of GitHub (token permissions, action pins, CODEOWNERS) do not apply
to a repository on Azure Repos with only Azure Pipelines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from assess_builder import build, write
from report_lookup import dim, probe_status

from generator.assess.collect import Repo
from generator.assess.evaluate import Report
from generator.assess.facts import Facts
from generator.assess.findings import Finding
from generator.assess.run import assess_repo

PIPELINE = """trigger:
  branches:
    include: [main]
pr:
  branches:
    include: [main]
stages:
  - stage: verify
    jobs:
      - job: verify
        steps:
          - script: make test
            displayName: tests
          - script: make lint
            displayName: lint
          - script: make eval
            displayName: offline eval gate
  - template: templates/deploy-stage.yml
    parameters:
      environment: prod
      connection: workload-federated
"""

STAGE = """parameters:
  - name: environment
    type: string
  - name: connection
    type: string
stages:
  - stage: deploy_${{ parameters.environment }}
    displayName: release to ${{ parameters.environment }}
    jobs:
      - deployment: release
        displayName: release to ${{ parameters.environment }}
        environment: ${{ parameters.environment }}
        strategy:
          runOnce:
            deploy:
              steps:
                - template: az-make.yml
                  parameters:
                    connection: ${{ parameters.connection }}
                    label: ship the new revision
                    command: make deploy ENV=${{ parameters.environment }}
                - template: az-make.yml
                  parameters:
                    connection: ${{ parameters.connection }}
                    label: check the new revision
                    command: make smoke
                - template: az-make.yml
                  parameters:
                    connection: ${{ parameters.connection }}
                    label: move traffic back
                    command: make rollback
                    condition: or(failed(), canceled())
"""

STEP = """parameters:
  - name: connection
    type: string
  - name: label
    type: string
  - name: command
    type: string
  - name: condition
    type: string
    default: succeeded()
steps:
  - task: AzureCLI@2
    displayName: ${{ parameters.label }}
    condition: ${{ parameters.condition }}
    inputs:
      azureSubscription: ${{ parameters.connection }}
      scriptType: bash
      scriptLocation: inlineScript
      inlineScript: |
        set -euo pipefail
        ${{ parameters.command }}
"""

DEPLOY_PROBES = (
    "delivery.deploy_as_code",
    "delivery.smoke_test",
    "delivery.progressive",
    "delivery.rollback",
)


def _repo(root: Path, step: str = STEP) -> Path:
    """The builder's workload with Azure Pipelines as its only CI and no .github/ folder."""
    build(root)
    shutil.rmtree(root / ".github")
    (root / "CODEOWNERS").unlink()
    write(root, ".azure-pipelines/pipeline.yml", PIPELINE)
    write(root, ".azure-pipelines/templates/deploy-stage.yml", STAGE)
    write(root, ".azure-pipelines/templates/az-make.yml", step)
    return root


def _finding(report: Report, pid: str) -> Finding:
    for d in report.dimensions:
        for r in d.probes:
            if r.definition.id == pid:
                return r.findings[0]
    raise KeyError(pid)


def test_stage_template_parameters_name_the_stage_job_and_environment(tmp_path: Path) -> None:
    facts = Facts(Repo.scan(_repo(tmp_path / "az")))
    wf = next(w for w in facts.workflows.workflows if w.system == "azure-pipelines")
    job = wf.jobs["deploy_prod.release"]
    assert job.environment == "prod"
    assert job.needs == ["verify.verify"]
    assert job.name == "release to prod"
    rollback = job.steps[-1]
    assert rollback.name == "move traffic back"
    assert rollback.cond == "failure()"  # the caller's condition, passed through a parameter
    report = assess_repo(tmp_path / "az")
    env = _finding(report, "delivery.environment")
    assert env.outcome == "pass" and "`prod`" in env.message and "${{" not in env.message


def test_deploy_chain_through_step_templates_scores_like_github(tmp_path: Path) -> None:
    report = assess_repo(_repo(tmp_path / "az"))
    for pid in (*DEPLOY_PROBES, "delivery.deploy_needs_eval", "delivery.oidc"):
        assert probe_status(report, pid) == "pass", (pid, _finding(report, pid).message)
    assert dim(report, "delivery").level == 4


def test_smoke_test_cites_the_command_the_caller_wrote(tmp_path: Path) -> None:
    root = _repo(tmp_path / "az")
    smoke = _finding(assess_repo(root), "delivery.smoke_test")
    assert smoke.path == ".azure-pipelines/templates/deploy-stage.yml"
    cited = (root / smoke.path).read_text().splitlines()[smoke.line - 1]
    assert "make smoke" in cited, cited
    assert "set -euo pipefail" not in smoke.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the step template lets every command behind it fail without failing the job
        (
            "    condition: ${{ parameters.condition }}\n",
            "    condition: ${{ parameters.condition }}\n    continueOnError: true\n",
        ),
        ("        ${{ parameters.command }}\n", "        ${{ parameters.command }} || true\n"),
        # the same switch as a template parameter, defaulted on
        (
            "    condition: ${{ parameters.condition }}\n",
            "    condition: ${{ parameters.condition }}\n"
            "    continueOnError: ${{ parameters.tolerate }}\n",
        ),
    ],
)
def test_step_template_that_cannot_fail_hides_the_deploy(
    tmp_path: Path, old: str, new: str
) -> None:
    step = STEP.replace(old, new)
    if "tolerate" in new:
        step = step.replace(
            "steps:\n", "  - name: tolerate\n    type: boolean\n    default: true\nsteps:\n"
        )
    assert step != STEP
    report = assess_repo(_repo(tmp_path / "az", step))
    for pid in DEPLOY_PROBES:
        assert probe_status(report, pid) == "fail", (pid, _finding(report, pid).message)
    assert dim(report, "delivery").level < 4


def test_github_only_probes_do_not_apply_to_azure_pipelines_only(tmp_path: Path) -> None:
    report = assess_repo(_repo(tmp_path / "az"))
    for pid in ("eng.permissions", "eng.pinned_actions", "eng.dangerous_workflows"):
        finding = _finding(report, pid)
        assert finding.outcome == "not-applicable", (pid, finding.message)
        assert "azure-pipelines" in finding.message


def test_without_any_ci_the_github_probes_still_fail(tmp_path: Path) -> None:
    root = _repo(tmp_path / "none")
    shutil.rmtree(root / ".azure-pipelines")
    report = assess_repo(root)
    assert probe_status(report, "eng.permissions") == "fail"


def test_azure_repos_keeps_code_owners_outside_the_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path / "az")
    report = assess_repo(root)
    for pid in ("eng.codeowners", "prompts.owned"):
        finding = _finding(report, pid)
        assert finding.outcome == "not-applicable", (pid, finding.message)
        assert "Azure Repos" in finding.message
    # a CODEOWNERS file that is there is still read
    write(root, "CODEOWNERS", "* @contoso/reviewers\n")
    assert probe_status(assess_repo(root), "eng.codeowners") == "pass"


def test_git_remote_names_the_host(tmp_path: Path) -> None:
    root = _repo(tmp_path / "az")
    write(root, ".github/dependabot.yml", "version: 2\nupdates: []\n")  # looks like GitHub
    assert Facts(Repo.scan(root)).code_host[0] == "github"
    assert probe_status(assess_repo(root), "eng.codeowners") == "fail"
    write(
        root,
        ".git/config",
        '[remote "origin"]\n\turl = https://contoso@dev.azure.com/contoso/app/_git/app\n',
    )
    host, why = Facts(Repo.scan(root)).code_host
    assert host == "azure-repos" and "contoso@" not in why
    assert probe_status(assess_repo(root), "eng.codeowners") == "not-applicable"


def test_github_repository_without_codeowners_still_fails(tmp_path: Path) -> None:
    root = build(tmp_path / "gh")
    (root / "CODEOWNERS").unlink()
    report = assess_repo(root)
    assert probe_status(report, "eng.codeowners") == "fail"
    assert probe_status(report, "prompts.owned") == "fail"


def test_a_job_named_canary_is_not_a_smoke_test(tmp_path: Path) -> None:
    """Labels are not what runs: a job called `canary` whose steps check nothing has no smoke
    test (found on the generated repository, whose rollout job is `canary`)."""
    root = build(tmp_path / "gh")
    wf = root / ".github/workflows/deploy.yml"
    text = wf.read_text()
    assert "  deploy:\n" in text and "      - name: Smoke test\n        run: make smoke\n" in text
    wf.write_text(
        text.replace("  deploy:\n", "  canary:\n").replace(
            "      - name: Smoke test\n        run: make smoke\n", ""
        )
    )
    assert probe_status(assess_repo(root), "delivery.smoke_test") == "fail"


def test_coverage_floor_in_a_make_variable(tmp_path: Path) -> None:
    root = build(tmp_path / "gh")
    write(root, "pyproject.toml", (root / "pyproject.toml").read_text().replace("fail_under", "x"))
    mk = root / "mk/app.mk"
    text = mk.read_text()
    assert "\tuv run pytest" in text or "pytest" in text
    mk.write_text(
        "COVERAGE_MIN ?= 80\n"
        + text.replace("pytest", "pytest \\\n\t\t--cov --cov-fail-under=$(COVERAGE_MIN)", 1)
    )
    report = assess_repo(root)
    finding = _finding(report, "eng.coverage")
    assert finding.outcome == "pass" and "80%" in finding.message, finding.message
    assert "--cov-fail-under" in mk.read_text().splitlines()[finding.line - 1]


def test_set_e_in_one_script_does_not_carry_over_to_the_next(tmp_path: Path) -> None:
    """Azure runs each bash step without -e; a `set -e` in one step is that step's only."""
    pipeline = PIPELINE.replace(
        "          - script: make eval\n",
        "          - script: |\n              make eval\n              echo done\n",
    ).replace(
        "          - script: make test\n",
        "          - script: |\n              set -e\n              make test\n",
    )
    root = _repo(tmp_path / "az")
    write(root, ".azure-pipelines/pipeline.yml", pipeline)
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "fail"
    assert probe_status(report, "delivery.ci_tests") == "pass"
