"""deploy/ci.py: the same facts and hand-offs under GitHub Actions and Azure Pipelines."""

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy import ci

SHA = "0123456789abcdef0123456789abcdef01234567"
GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA, "GITHUB_RUN_ATTEMPT": "2",
          "GITHUB_RUN_NUMBER": "41", "GITHUB_REF_NAME": "main"}  # fmt: skip
AZURE = {"TF_BUILD": "True", "BUILD_SOURCEVERSION": SHA, "SYSTEM_JOBATTEMPT": "2",
         "BUILD_BUILDID": "41", "BUILD_SOURCEBRANCH": "refs/heads/main"}  # fmt: skip


@pytest.mark.parametrize("env", [GITHUB, AZURE], ids=["github", "azure_pipelines"])
def test_the_same_facts_on_both_systems(env: dict[str, str]) -> None:
    assert ci.commit_sha(env) == SHA
    assert ci.run_attempt(env) == "2"
    assert ci.run_number(env) == "41"
    assert ci.branch(env) == "main"


def test_systems_are_told_apart_and_a_laptop_gets_the_defaults() -> None:
    assert ci.system(GITHUB) == ci.GITHUB
    assert ci.system(AZURE) == ci.AZURE_PIPELINES
    assert ci.system({}) == ci.LOCAL
    assert (ci.commit_sha({}), ci.run_attempt({}), ci.run_number({})) == ("", "1", "")
    assert ci.branch({"BUILD_SOURCEBRANCH": "refs/heads/release/2.0"}) == "release/2.0"
    assert ci.branch({"BUILD_SOURCEBRANCH": "refs/pull/7/merge"}) == "main"


def test_outputs_reach_later_steps_on_both_systems(tmp_path: Path) -> None:
    output = tmp_path / "github-output"
    ci.set_outputs({"image": "cr.azurecr.io/app:abc"}, {**GITHUB, "GITHUB_OUTPUT": str(output)})
    assert output.read_text() == "image=cr.azurecr.io/app:abc\n"
    out = io.StringIO()
    ci.set_outputs({"image": "cr.azurecr.io/app:abc"}, AZURE, out)
    assert out.getvalue() == "##vso[task.setvariable variable=image]cr.azurecr.io/app:abc\n"
    quiet = io.StringIO()
    ci.set_outputs({"image": "x"}, {}, quiet)
    assert quiet.getvalue() == ""
    with pytest.raises(ValueError):
        ci.set_outputs({"image": "a\n##vso[task.setvariable variable=x]y"}, AZURE, out)


def test_summaries_go_to_the_run_page(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    ci.add_summary("| a |", "canary", {**GITHUB, "GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == "| a |\n"
    out = io.StringIO()
    ci.add_summary("| a |", "canary", {**AZURE, "AGENT_TEMPDIRECTORY": str(tmp_path)}, out)
    written = tmp_path / "canary-summary.md"
    assert written.read_text() == "| a |"
    assert out.getvalue() == f"##vso[task.uploadsummary]{written}\n"
