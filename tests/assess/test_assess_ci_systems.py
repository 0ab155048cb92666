"""Other CI systems carry the same evidence as GitHub Actions, with the same gate rules:
Azure Pipelines (templates, parameters, tasks), GitLab CI, Cloud Build and azd hooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from assess_builder import build, write
from conftest import dim, probe_status

from generator.assess.collect import Repo
from generator.assess.facts import Facts
from generator.assess.run import assess_repo

STEPS_TEMPLATE = """parameters:
  - name: target
    default: test
steps:
  - script: make ${{ parameters.target }}
    displayName: make ${{ parameters.target }}
"""

PIPELINE = """trigger:
  branches:
    include: [main]
pr:
  branches:
    include: [main]
stages:
  - stage: ci
    jobs:
      - job: test
        steps:
          - template: templates/make.yml
            parameters:
              target: test
      - job: lint
        steps:
          - template: templates/make.yml
            parameters:
              target: lint
      - job: eval
        steps:
          - script: make eval
            displayName: Offline eval gate
      - job: iac
        steps:
          - task: AzureCLI@2
            inputs:
              azureSubscription: workload-federated
              scriptType: bash
              scriptLocation: inlineScript
              inlineScript: |
                make lint-iac
                make iac-scan
  - stage: deploy
    jobs:
      - deployment: release
        environment: prod
        strategy:
          runOnce:
            deploy:
              steps:
                - task: AzureCLI@2
                  inputs:
                    azureSubscription: workload-federated
                    scriptType: bash
                    scriptLocation: inlineScript
                    inlineScript: make deploy IMAGE=app:$(Build.SourceVersion)
                - script: make smoke
                  displayName: Smoke test
            on:
              failure:
                steps:
                  - script: make rollback
                    displayName: Roll back
"""


def _azure_repo(root: Path, pipeline: str = PIPELINE) -> Path:
    build(root)
    for name in ("ci.yml", "deploy.yml"):
        (root / ".github/workflows" / name).unlink()
    write(root, ".azure-pipelines/templates/make.yml", STEPS_TEMPLATE)
    write(root, ".azure-pipelines/pipeline.yml", pipeline)
    return root


def test_azure_pipelines_score_delivery_as_high_as_github(tmp_path: Path) -> None:
    github = assess_repo(build(tmp_path / "gh"))
    azure = assess_repo(_azure_repo(tmp_path / "az"))
    assert dim(github, "delivery").level == 4
    assert dim(azure, "delivery").level == dim(github, "delivery").level, dim(
        azure, "delivery"
    ).reason
    for pid in ("eval.ci_gate", "eng.lint_ci", "infra.validated", "delivery.deploy_needs_eval"):
        assert probe_status(azure, pid) == "pass", pid


def test_template_steps_and_parameters_are_followed(tmp_path: Path) -> None:
    facts = Facts(Repo.scan(_azure_repo(tmp_path / "az")))
    wf = next(w for w in facts.workflows.workflows if w.system == "azure-pipelines")
    assert wf.path == ".azure-pipelines/pipeline.yml"  # the template is not a pipeline of its own
    test = wf.jobs["ci.test"]
    assert "pytest -q" in [leaf.text for s in test.steps for leaf in s.leaves]
    assert test.steps[0].line == 5  # the cited line is the step in the template
    assert wf.jobs["deploy.release"].needs == ["ci.test", "ci.lint", "ci.eval", "ci.iac"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("      - job: eval\n", "      - job: eval\n        continueOnError: true\n"),
        ("          - script: make eval\n", "          - script: make eval || true\n"),
        (
            "          - script: make eval\n",
            "          - script: make eval\n            continueOnError: true\n",
        ),
        (
            "          - script: make eval\n",
            "          - script: make eval\n            condition: eq(1, 2)\n",
        ),
        (
            "          - script: make eval\n",
            "          - script: make eval\n            enabled: false\n",
        ),
        ("      - job: eval\n", "      - job: eval\n        condition: false\n"),
        # bash runs Azure script steps without -e: only the last command decides
        (
            "          - script: make eval\n",
            "          - script: |\n              make eval\n              echo done\n",
        ),
    ],
)
def test_azure_eval_step_that_cannot_fail_is_not_a_gate(tmp_path: Path, old: str, new: str) -> None:
    assert old in PIPELINE
    report = assess_repo(_azure_repo(tmp_path / "az", PIPELINE.replace(old, new)))
    assert probe_status(report, "eval.ci_gate") == "fail"
    assert probe_status(report, "delivery.deploy_needs_eval") == "fail"


def test_stage_depending_on_nothing_does_not_wait_for_the_eval(tmp_path: Path) -> None:
    pipeline = PIPELINE.replace("  - stage: deploy\n", "  - stage: deploy\n    dependsOn: []\n")
    report = assess_repo(_azure_repo(tmp_path / "az", pipeline))
    assert probe_status(report, "delivery.deploy_needs_eval") == "fail"


def test_gitlab_ci_jobs_and_stages(tmp_path: Path) -> None:
    root = build(tmp_path / "gl")
    shutil.rmtree(root / ".github/workflows")
    write(
        root,
        ".gitlab-ci.yml",
        "stages: [test, deploy]\n"
        ".uv:\n  image: python:3.12\n  before_script:\n    - pip install uv\n"
        "unit:\n  extends: .uv\n  stage: test\n  script:\n    - make test\n"
        "quality:\n  stage: test\n  script:\n    - make eval\n"
        "release:\n  stage: deploy\n  environment: production\n  id_tokens:\n    AZURE_TOKEN:\n"
        "      aud: api://AzureADTokenExchange\n  script:\n    - make deploy\n    - make smoke\n",
    )
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "pass"
    assert probe_status(report, "delivery.deploy_needs_eval") == "pass"
    assert probe_status(report, "delivery.oidc") == "pass"
    text = (root / ".gitlab-ci.yml").read_text()
    write(
        root,
        ".gitlab-ci.yml",
        text.replace("    - make eval\n", "    - make eval\n  allow_failure: true\n"),
    )
    assert probe_status(assess_repo(root), "eval.ci_gate") == "fail"


def test_cloud_build_deploy_and_allow_failure(tmp_path: Path) -> None:
    root = tmp_path / "cb"
    write(
        root,
        "cloudbuild.yaml",
        "steps:\n  - name: python:3.12\n    entrypoint: bash\n    args: ['-c', 'pip install -r "
        "requirements.txt && pytest']\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n"
        "    entrypoint: gcloud\n"
        "    args: [run, deploy, api, --image, img, --region, europe-west1]\n",
    )
    write(root, "tests/test_app.py", "def test_app():\n    assert 1\n")
    report = assess_repo(root)
    assert probe_status(report, "delivery.ci_tests") == "pass"
    assert probe_status(report, "delivery.deploy_as_code") == "pass"
    text = (root / "cloudbuild.yaml").read_text()
    write(
        root,
        "cloudbuild.yaml",
        text.replace("&& pytest']\n", "&& pytest']\n    allowFailure: true\n"),
    )
    assert probe_status(assess_repo(root), "delivery.ci_tests") == "fail"


def test_azd_hooks_are_followed_from_azd_commands(tmp_path: Path) -> None:
    root = tmp_path / "azd"
    write(
        root,
        "azure.yaml",
        "name: app\nservices:\n  api:\n    project: ./src/backend\n    language: py\n"
        "    host: containerapp\n    hooks:\n      predeploy:\n        shell: sh\n"
        "        run: scripts/evaluate.sh\n",
    )
    write(root, "src/backend/scripts/evaluate.sh", "#!/bin/sh\nset -e\npython -m evals.run\n")
    write(root, "src/backend/evals/run.py", "print('eval')\n")
    facts = Facts(Repo.scan(root))
    leaves = facts.resolver.resolve_command("azd deploy")
    texts = [leaf.text for leaf in leaves]
    assert texts[0] == "azd deploy" and "python -m evals.run" in texts
    reached = next(leaf for leaf in leaves if leaf.text == "python -m evals.run")
    assert "src/backend/evals/run.py" in reached.files and reached.gate
    write(root, "azure.yaml", (root / "azure.yaml").read_text() + "        continueOnError: true\n")
    facts = Facts(Repo.scan(root))
    reached = next(
        lf
        for lf in facts.resolver.resolve_command("azd deploy")
        if lf.text == "python -m evals.run"
    )
    assert not reached.gate and "continueOnError" in (reached.why_not or "")
