"""Every Make target a workflow calls exists in the generated repo and runs offline.

Azure and GitHub cannot run here: ``az`` and ``gh`` are fakes on PATH that mirror the real
command lines and outputs (tests/workflows/fake_az.py, fake_gh.py), so what runs is the
generated repo's own Makefile and scripts, and what is checked is what they would send.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from canary_rig import APP, az_calls, make_with_fake_azure, read_state, write_state
from genrepo import clean_env, run_shell
from workflow_facts import load, make_targets, steps


# Targets other capabilities add to the generated repo (their mk/*.mk fragments are being
# built in parallel). Drop an entry when its fragment lands: the xfail then turns into a pass.
def defined_targets(repo: Path) -> set[str]:
    proc = subprocess.run(
        ["make", "-pRrq", "-f", "Makefile", ":"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    return set(re.findall(r"^([A-Za-z][\w.-]*):(?!=)", proc.stdout, re.MULTILINE))


def called_targets(repo: Path) -> dict[str, set[str]]:
    """target -> where it is called (workflow files and the mk fragments' $(MAKE) lines)."""
    calls: dict[str, set[str]] = {}
    for path in sorted((repo / ".github" / "workflows").glob("*.yml")):
        for job_id, step in steps(load(path)):
            for target in make_targets(step.get("run", "")):
                calls.setdefault(target, set()).add(f"{path.name}:{job_id}")
    for fragment in sorted((repo / "mk").glob("*.mk")):
        for target in make_targets(fragment.read_text()):
            calls.setdefault(target, set()).add(fragment.name)
    return calls


def test_every_target_a_workflow_calls_exists(generated):
    repo = generated()
    calls = called_targets(repo)
    assert {"lint", "typecheck", "lint-workflows", "test", "canary-rollback"} <= set(calls)
    assert {"eval", "eval-online", "iac-scan", "ingest"} <= set(calls)
    missing = set(calls) - defined_targets(repo)
    assert not missing, {t: sorted(calls[t]) for t in missing}


@pytest.fixture(scope="module")
def repo(generated, tmp_path_factory, cli_env):
    """A writable, installed copy of the default generated repo with an origin remote."""
    work = tmp_path_factory.mktemp("delivery")
    target = work / "repo"
    shutil.copytree(generated(), target, symlinks=True)
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
    extra = {"GITHUB_REPOSITORY": "contoso/workload", **env}
    return make_with_fake_azure(repo, clean_env(cli_env), *args, **extra)


def azure_state(repo: Path, **extra: object) -> Path:
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
        images={"crworkload.azurecr.io/ca-workload:abc": None},
        image_eval_scores={},
        eval_scores={},
        **extra,
    )
    (repo.parent / "az.log").unlink(missing_ok=True)
    return path


@pytest.mark.slow
def test_lint_workflows_target_runs_the_three_linters(repo, cli_env, checkov_bin):
    proc = make(repo, cli_env, "lint-workflows", f"CHECKOV={checkov_bin}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "No findings to report" in proc.stdout + proc.stderr
    assert re.search(r"Passed checks: \d+, Failed checks: 0", proc.stdout)


@pytest.mark.slow
def test_lint_and_typecheck_targets_pass_on_the_generated_repo(repo, cli_env):
    for target in ("lint", "typecheck"):
        proc = make(repo, cli_env, target)
        assert proc.returncode == 0, target + proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.slow
def test_image_build_builds_once_and_hands_the_image_on(repo, cli_env):
    azure_state(repo)
    output = repo.parent / "github-output"
    output.write_text("")
    (repo / "Dockerfile").write_text("FROM scratch\n")
    try:
        proc = make(repo, cli_env, "image-build", GITHUB_SHA="abc", GITHUB_OUTPUT=str(output))
    finally:
        (repo / "Dockerfile").unlink()
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == (
        "image=crworkload.azurecr.io/ca-workload:abc\n"
        "name=crworkload.azurecr.io/ca-workload\n"
        f"digest=sha256:{'ab' * 32}\n"  # what the attestation step signs
    )
    assert az_calls(repo.parent / "az.log") == [
        [
            "az",
            "acr",
            "build",
            "--registry",
            "crworkload",
            "--image",
            "ca-workload:abc",
            "--file",
            "Dockerfile",
            ".",
        ],
    ]  # the login server comes from AZURE_CONTAINER_REGISTRY_ENDPOINT, no `az acr show`


@pytest.mark.slow
def test_canary_start_then_rollback_targets(repo, cli_env):
    azure = azure_state(repo)
    state = repo / ".canary" / "state.json"
    state.unlink(missing_ok=True)
    usage = make(repo, cli_env, "canary-start")
    assert usage.returncode != 0 and "usage: make canary-start IMAGE=" in usage.stdout

    output = repo.parent / "github-output"
    output.write_text("")
    started = make(
        repo,
        cli_env,
        "canary-start",
        "IMAGE=crworkload.azurecr.io/ca-workload:abc",
        GITHUB_SHA="abcdef0123456789",
        GITHUB_RUN_ATTEMPT="2",
        GITHUB_OUTPUT=str(output),
    )
    assert started.returncode == 0, started.stdout + started.stderr
    canary, stable = f"{APP}--gabcdef0-r2", f"{APP}--g1234567-r1"
    assert output.read_text() == f"canary={canary}\nstable={stable}\n"
    url = make(repo, cli_env, "-s", "canary-status")
    assert "ready" in url.stdout

    rolled = make(repo, cli_env, "canary-rollback")
    assert rolled.returncode == 0, rolled.stderr
    again = make(repo, cli_env, "canary-rollback")  # idempotent: the rollback step may re-run
    assert again.returncode == 0
    platform = read_state(azure)
    assert platform["revisions"][canary]["active"] is False
    assert platform["traffic"] == [
        {"revisionName": stable, "weight": 100},
        {"revisionName": canary, "weight": 0},
    ]
    base = ["-n", APP, "-g", "rg-workload"]
    assert az_calls(repo.parent / "az.log") == [
        ["az", "containerapp", "ingress", "traffic", "show", *base, "-o", "json"],
        [
            "az",
            "containerapp",
            "show",
            *base,
            "--query",
            "properties.latestReadyRevisionName",
            "-o",
            "tsv",
        ],
        [
            "az",
            "containerapp",
            "ingress",
            "traffic",
            "set",
            *base,
            "--revision-weight",
            f"{stable}=100",
        ],
        [
            "az",
            "containerapp",
            "update",
            *base,
            "--image",
            "crworkload.azurecr.io/ca-workload:abc",
            "--revision-suffix",
            "gabcdef0-r2",
        ],
        [
            "az",
            "containerapp",
            "revision",
            "show",
            *base,
            "--revision",
            canary,
            "--query",
            "properties.[healthState,runningState]",
            "-o",
            "tsv",
        ],
        [
            "az",
            "containerapp",
            "revision",
            "label",
            "add",
            *base,
            "--label",
            "canary",
            "--revision",
            canary,
            "--yes",
        ],
        [
            "az",
            "containerapp",
            "revision",
            "label",
            "add",
            *base,
            "--label",
            "stable",
            "--revision",
            stable,
            "--yes",
        ],
        [
            "az",
            "containerapp",
            "ingress",
            "traffic",
            "set",
            *base,
            "--revision-weight",
            f"{stable}=100",
            f"{canary}=0",
        ],
        ["az", "containerapp", "revision", "deactivate", *base, "--revision", canary],
    ]


def monitor_table(current: list[object], baseline: list[object]) -> dict[str, object]:
    names = ["period", "requests", "failures", "p95_ms", "eval_score", "positive_rate"]
    return {
        "name": "PrimaryResult",
        "columns": [{"name": n, "type": "real"} for n in names],
        "rows": [["current", *current], ["baseline", *baseline]],
    }


@pytest.mark.slow
def test_monitor_targets_report_and_open_then_update_one_issue(repo, cli_env):
    (repo.parent / "github.json").unlink(missing_ok=True)
    azure_state(
        repo, monitor_table=monitor_table([1000, 5, 800, 0.9, 0.8], [7000, 35, 790, 0.9, 0.8])
    )
    ok = make(repo, cli_env, "monitor")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "No regression found" in (repo / "reports" / "monitor.md").read_text()

    azure_state(
        repo, monitor_table=monitor_table([1000, 60, 2400, 0.7, 0.5], [7000, 35, 790, 0.9, 0.8])
    )
    bad = make(repo, cli_env, "monitor")
    assert bad.returncode != 0
    report = json.loads((repo / "reports" / "monitor.json").read_text())
    assert len(report["findings"]) == 4  # failures, p95, eval score, feedback
    for _ in range(2):
        issue = make(repo, cli_env, "monitor-issue")
        assert issue.returncode == 0, issue.stderr
    github = read_state(repo.parent / "github.json")
    assert len(github["issues"]) == 1  # opened once, then commented
    assert github["issues"][0]["labels"] == ["monitor-regression"]
    assert "p95 latency" in github["issues"][0]["body"]
    assert len(github["issues"][0]["comments"]) == 1


@pytest.mark.slow
def test_index_refresh_switches_the_alias_only_when_the_eval_passes(repo, cli_env):
    aliases = repo / "data" / "index" / "aliases.json"
    aliases.unlink(missing_ok=True)
    ingest = (
        "printenv APP_AZURE_SEARCH_INDEX"  # stands in for `make ingest`: the name the app reads
    )
    failed = make(
        repo,
        cli_env,
        "index-refresh",
        f"INGEST_CMD={ingest}",
        "EVAL_CMD=false",
        GITHUB_RUN_NUMBER="7",
    )
    assert failed.returncode != 0
    assert "grounding-docs-v7" in failed.stdout
    assert (
        "eval on grounding-docs-v7 failed its thresholds; alias grounding-docs unchanged"
        in failed.stderr
    )
    assert not aliases.exists()
    passed = make(
        repo,
        cli_env,
        "index-refresh",
        f"INGEST_CMD={ingest}",
        "EVAL_CMD=true",
        GITHUB_RUN_NUMBER="8",
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "grounding-docs-v8" in passed.stdout  # the ingest saw the new index name
    assert json.loads(aliases.read_text()) == {"grounding-docs": "grounding-docs-v8"}


def fresh_clone(repo: Path, name: str) -> Path:
    """What actions/checkout gives the workflow: a clean clone of main."""
    target = repo.parent / name
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        ["git", "clone", "-q", "-b", "main", str(repo.parent / "origin.git"), str(target)],
        check=True,
    )
    return target


@pytest.mark.slow
def test_template_update_opens_one_pull_request_when_the_template_moved(repo, cli_env):
    (repo.parent / "github.json").unlink(missing_ok=True)
    fake = repo.parent / "fake-genaiops"
    fake.write_text(
        "#!/bin/sh\n"
        "# moves the template on: a new managed line and a new _commit\n"
        'sed -i "s/^_commit: .*/_commit: v9.9.9/" .copier-answers.yml\n'
        'grep -q "^_commit:" .copier-answers.yml || echo "_commit: v9.9.9" >> .copier-answers.yml\n'
        "echo '# template v9.9.9' >> README.md\n"
    )
    fake.chmod(0o755)
    checkout = fresh_clone(repo, "checkout-1")
    proc = make(checkout, cli_env, "template-update", f"GENAIOPS={fake}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "template update: opened" in proc.stdout
    pushed = subprocess.run(
        [
            "git",
            "--git-dir",
            str(repo.parent / "origin.git"),
            "show",
            "genaiops/template-update:README.md",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.stdout.endswith("# template v9.9.9\n")
    github = read_state(repo.parent / "github.json")
    assert [(p["head"], p["base"]) for p in github["prs"]] == [("genaiops/template-update", "main")]
    assert "v9.9.9" in github["prs"][0]["title"]

    noop = make(fresh_clone(repo, "checkout-2"), cli_env, "template-update", "GENAIOPS=true")
    assert noop.returncode == 0 and "template update: current" in noop.stdout
