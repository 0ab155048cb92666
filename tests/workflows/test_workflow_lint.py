"""Every generated variant's workflows pass actionlint, zizmor (offline) and checkov."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from workflow_facts import names_for

VARIANTS = [
    pytest.param({}, id="defaults"),
    pytest.param({"iac": "terraform"}, id="terraform"),
    pytest.param({"use_case": "summarization"}, id="summarization"),
    pytest.param(
        {
            "use_case": "classification",
            "iac": "terraform",
            "iac_profile": "prod",
            "gateway": "apim",
        },
        id="classification-terraform-prod-apim",
    ),
]
BIN = Path(sys.executable).parent


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.slow
@pytest.mark.parametrize("answers", VARIANTS)
def test_generated_workflows_pass_all_three_linters(generated, checkov_bin, answers):
    repo = generated(answers)
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert [p.stem for p in workflows] == names_for(answers.get("use_case", "rag_chat"))

    actionlint = run([str(BIN / "actionlint"), "-no-color"], repo)
    assert actionlint.returncode == 0, actionlint.stdout + actionlint.stderr

    zizmor = run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", "--format", "plain", ".github"], repo
    )
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    assert "No findings to report" in zizmor.stdout + zizmor.stderr

    checkov = run(
        [checkov_bin, "--framework", "github_actions", "-d", ".", "--skip-download", "--compact"],
        repo,
    )
    output = checkov.stdout + checkov.stderr
    counts = re.search(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)", output)
    assert counts, output[-2000:]
    passed, failed, skipped = map(int, counts.groups())
    assert (failed, skipped) == (0, 0), output[-3000:]
    assert passed > 0
    assert checkov.returncode == 0


def test_zizmor_and_actionlint_do_flag_a_weakened_workflow(generated, fresh_copy):
    """The linters are really looking: an unpinned action and an expression in run: fail."""
    repo = fresh_copy(generated())
    ci = repo / ".github" / "workflows" / "ci.yml"
    text = ci.read_text()
    text = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", text, count=1)
    text = text.replace("run: make test", 'run: echo "${{ github.event.pull_request.title }}"')
    ci.write_text(text)
    zizmor = run([str(BIN / "zizmor"), "--offline", "--no-progress", ".github"], repo)
    assert zizmor.returncode != 0
    assert "unpinned-uses" in zizmor.stdout and "template-injection" in zizmor.stdout
    actionlint = run([str(BIN / "actionlint"), "-no-color"], repo)
    assert actionlint.returncode != 0
    assert "github.event.pull_request.title" in actionlint.stdout
