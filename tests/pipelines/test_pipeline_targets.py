"""The make targets the pipelines call, run as Azure Pipelines runs them.

The canary controller is the same code on both systems: started once with what GitHub Actions
gives a job and once with what Azure Pipelines gives one, it sends the same ``az`` command
lines and hands on the same values. ``az`` is the fake of tests/workflows (it mirrors the real
CLI's commands and outputs); Azure DevOps is tests/pipelines/fake_ado.py (it mirrors the REST
routes, versions, authentication and payloads the repository uses).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_ado import pipeline_env, serve

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
from canary_rig import APP, az_calls, make_with_fake_azure, write_state
from genrepo import clean_env, run_shell

SHA = "abcdef0123456789abcdef0123456789abcdef01"
IMAGE = "crworkload.azurecr.io/ca-workload:" + SHA
GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA, "GITHUB_RUN_ATTEMPT": "2"}
AZURE = {"TF_BUILD": "True", "BUILD_SOURCEVERSION": SHA, "SYSTEM_JOBATTEMPT": "2"}


@pytest.fixture(scope="module")
def repo(generated, tmp_path_factory, cli_env):
    """A writable, installed copy of the azure_devops repo with an origin remote."""
    work = tmp_path_factory.mktemp("pipelines")
    target = work / "repo"
    shutil.copytree(generated({"ci": "azure_devops"}), target, symlinks=True)
    env = clean_env(cli_env)
    for command in (
        "uv sync --quiet",
        f"git init -q --bare {work}/origin.git",
        f"git remote add origin {work}/origin.git",
        "git push -q origin HEAD:main",
    ):
        proc = run_shell(command, target, env, timeout=600)
        assert proc.returncode == 0, command + proc.stderr[-2000:]
    return target


def make(repo: Path, cli_env, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = clean_env(cli_env)
    base = {k: v for k, v in base.items() if not k.startswith(("GITHUB_", "TF_BUILD", "CI"))}
    return make_with_fake_azure(repo, base, *args, **env)


def azure_state(repo: Path) -> Path:
    path = repo.parent / "azure.json"
    stable = f"{APP}--g1234567-r1"
    write_state(
        path,
        app=APP,
        ingress=None,
        default_domain="kindocean-1234.swedencentral.azurecontainerapps.io",
        latest_ready=stable,
        revisions={stable: {"url": None, "active": True, "image": "old"}},
        traffic=[{"latestRevision": True, "weight": 100}],
        labels={},
        images={IMAGE: None},
        image_eval_scores={},
        eval_scores={},
    )
    (repo.parent / "az.log").unlink(missing_ok=True)
    (repo / ".canary" / "state.json").unlink(missing_ok=True)
    return path


def handed_on(system: str, proc: subprocess.CompletedProcess[str], output: Path) -> dict:
    """What a step hands to later steps: GitHub's output file, Azure's logging commands."""
    if system == "github":
        lines = output.read_text().splitlines()
    else:
        lines = [
            re.sub(r"^##vso\[task\.setvariable variable=(\w+)\]", r"\1=", line)
            for line in proc.stdout.splitlines()
            if line.startswith("##vso[task.setvariable")
        ]
    return dict(line.split("=", 1) for line in lines)


def rollout(repo: Path, cli_env, system: str) -> tuple[list[list[str]], dict, dict]:
    """image-build, canary-start, canary-rollback as the deploy job runs them on ``system``."""
    azure_state(repo)
    output = repo.parent / f"{system}-output"
    output.write_text("")
    env = GITHUB | {"GITHUB_OUTPUT": str(output)} if system == "github" else dict(AZURE)
    (repo / "Dockerfile").write_text("FROM scratch\n")
    try:
        built = make(repo, cli_env, "image-build", **env)
    finally:
        (repo / "Dockerfile").unlink()
    assert built.returncode == 0, built.stdout + built.stderr
    image = handed_on(system, built, output)
    output.write_text("")
    # the next step gets the image the way its system passes it: an env var IMAGE
    started = make(repo, cli_env, "canary-start", **env, IMAGE=image["image"])
    assert started.returncode == 0, started.stdout + started.stderr
    revisions = handed_on(system, started, output)
    rolled = make(repo, cli_env, "canary-rollback", **env)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    return az_calls(repo.parent / "az.log"), image, revisions


@pytest.mark.slow
def test_the_canary_controller_does_the_same_on_both_systems(repo, cli_env):
    github_calls, github_image, github_revisions = rollout(repo, cli_env, "github")
    azure_calls, azure_image, azure_revisions = rollout(repo, cli_env, "azure_pipelines")
    assert github_image == azure_image  # image, name and digest (what the attestation signs)
    assert github_image["image"] == IMAGE
    assert github_image["name"] == IMAGE.rsplit(":", 1)[0]
    assert github_image["digest"].startswith("sha256:")
    canary = f"{APP}--gabcdef0-r2"  # g<sha7>-r<attempt>: GitHub's run attempt, Azure's job attempt
    assert (
        github_revisions == azure_revisions == {"canary": canary, "stable": f"{APP}--g1234567-r1"}
    )
    assert azure_calls == github_calls
    assert ["az", "acr", "build", "--registry", "crworkload", "--image",
            f"ca-workload:{SHA}", "--file", "Dockerfile", "."] in azure_calls  # fmt: skip
    assert ["az", "containerapp", "revision", "deactivate", "-n", APP, "-g", "rg-workload",
            "--revision", canary] in azure_calls  # fmt: skip


@pytest.mark.slow
def test_pr_comment_target_writes_one_thread_and_edits_it(repo, cli_env):
    report = repo / "reports" / "eval-summary.md"
    report.parent.mkdir(exist_ok=True)
    with serve() as (url, ado):
        ado.add_pull_request(7, "feature/x")
        usage = make(repo, cli_env, "pr-comment", **pipeline_env(url))
        assert usage.returncode == 2 and "usage: make pr-comment" in usage.stderr
        env = pipeline_env(url, SYSTEM_PULLREQUEST_PULLREQUESTID="7")
        for status, score in (("Failed", "0.61"), ("Succeeded", "0.83")):
            report.write_text(f"| faithfulness | {score} |\n")
            proc = make(
                repo, cli_env, "pr-comment", "MARKER=eval-gate", f"BODY={report}",
                f"TITLE=Offline eval gate: {status}", **env,
            )  # fmt: skip
            assert proc.returncode == 0, proc.stdout + proc.stderr
        threads = ado.pull_requests[7]["threads"]
        assert len(threads) == 1  # created once, then edited
        comment = threads[0]["comments"][0]
        assert comment["edited"] == 1
        assert "### Offline eval gate: Succeeded" in comment["content"]
        assert "0.83" in comment["content"] and "0.61" not in comment["content"]
        unauthenticated = make(
            repo, cli_env, "pr-comment", "MARKER=eval-gate", f"BODY={report}", "TITLE=t",
            **{**env, "SYSTEM_ACCESSTOKEN": "expired"},
        )  # fmt: skip
        assert unauthenticated.returncode != 0
        assert "not JSON" in unauthenticated.stderr


@pytest.mark.slow
def test_monitor_work_item_is_opened_once_then_updated(repo, cli_env):
    report = repo / "reports" / "monitor.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text("## Production monitor: regression\n\n| p95 | 2400 ms |\n")
    with serve() as (url, ado):
        for _ in range(2):
            proc = make(repo, cli_env, "monitor-work-item", **pipeline_env(url))
            assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(ado.work_items) == 1
        item = next(iter(ado.work_items.values()))
        assert item["fields"]["System.Tags"] == "monitor-regression"
        assert item["fields"]["System.WorkItemType"] == "Issue"
        assert "2400 ms" in item["fields"]["System.Description"]
        assert len(item["history"]) == 1


def fresh_clone(repo: Path, name: str) -> Path:
    target = repo.parent / name
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        ["git", "clone", "-q", "-b", "main", str(repo.parent / "origin.git"), str(target)],
        check=True,
    )
    return target


@pytest.mark.slow
def test_template_update_opens_one_pull_request_in_azure_repos(repo, cli_env):
    fake = repo.parent / "fake-genaiops"
    fake.write_text(
        "#!/bin/sh\n"
        'sed -i "s/^_commit: .*/_commit: v9.9.9/" .copier-answers.yml\n'
        "echo '# template v9.9.9' >> README.md\n"
    )
    fake.chmod(0o755)
    with serve() as (url, ado):
        env = pipeline_env(url, BUILD_SOURCEBRANCH="refs/heads/main")
        for attempt in ("1", "2"):
            proc = make(fresh_clone(repo, f"checkout-{attempt}"), cli_env, "template-update",
                        f"GENAIOPS={fake}", **env)  # fmt: skip
            assert proc.returncode == 0, proc.stdout + proc.stderr
        prs = list(ado.pull_requests.values())
        assert len(prs) == 1
        assert prs[0]["sourceRefName"] == "refs/heads/genaiops/template-update"
        assert prs[0]["targetRefName"] == "refs/heads/main"
        assert "v9.9.9" in prs[0]["title"]
        assert len(prs[0]["threads"]) == 1  # the second run commented on the open one
        assert not (repo.parent / "gh.log").exists()  # GitHub was never called
    pushed = subprocess.run(
        ["git", "--git-dir", str(repo.parent / "origin.git"), "show",
         "genaiops/template-update:README.md"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert pushed.stdout.endswith("# template v9.9.9\n")
