"""The eval workflows: the real-model PR eval runs only where it may (a configured repository's
own pull requests, OIDC with the agreed variables), the offline report says plainly when it was
the only check, the PR comment is assembled from the gates' own reports, and the prompt-compare
and red-team workflows call what the generated repository provides."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest
from workflow_facts import load, make_targets, steps, triggers

SEAM_VARS = {
    "AZURE_EVAL_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_CHAT_DEPLOYMENT",
}


@pytest.fixture(scope="module")
def workflows(repo_root: Path) -> dict[str, dict]:
    names = ("ci", "prompt-compare", "redteam")
    return {n: load(repo_root / "workflows" / f"{n}.yml") for n in names}


def expression(text: str, context: dict[str, object]) -> object:
    """Evaluate a GitHub Actions expression of the subset the workflows use (&&, ||, ==, !=,
    string literals, dotted context names). GitHub's && and || return an operand, as Python's
    `and` / `or` do, and bind the same way."""
    body = text.strip().removeprefix("${{").removesuffix("}}")
    body = body.replace("&&", " and ").replace("||", " or ")
    names = set(re.findall(r"\b(?:github|vars)(?:\.[\w-]+)+", body))
    for i, name in enumerate(sorted(names, key=len, reverse=True)):
        body = body.replace(name, f"_v{i}")
        context = {**context, f"_v{i}": context.get(name, "")}
    tree = ast.parse(" ".join(body.split()), mode="eval")
    return eval(compile(tree, "<expression>", "eval"), {"__builtins__": {}}, context)  # noqa: S307


def pull_request(fork: bool = False, configured: bool = True) -> dict[str, object]:
    head = "someone/workload" if fork else "team/workload"
    return {
        "github.event_name": "pull_request",
        "github.repository": "team/workload",
        "github.event.pull_request.head.repo.full_name": head,
        "vars.AZURE_EVAL_CLIENT_ID": "00000000-0000-0000-0000-000000000000" if configured else "",
    }


def test_the_real_model_job_runs_for_configured_same_repository_pull_requests_only(workflows):
    job = workflows["ci"]["jobs"]["eval-real-model"]
    assert expression(job["if"], pull_request()) is True
    assert expression(job["if"], pull_request(fork=True)) is False
    assert expression(job["if"], pull_request(configured=False)) is False
    push = {**pull_request(), "github.event_name": "push"}
    assert expression(job["if"], push) is False  # the federated subject is ...:pull_request
    assert "environment" not in job
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    login = next(s for s in job["steps"] if s.get("uses", "").startswith("azure/login@"))
    used = set(re.findall(r"vars\.(\w+)", str(login["with"]) + str(job["env"])))
    assert used == SEAM_VARS  # exactly the variables the Azure-path work provisions
    assert job["env"]["APP_AZURE_OPENAI_ENDPOINT"] == "${{ vars.AZURE_OPENAI_ENDPOINT }}"
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert make_targets(runs) == {"eval-real"}
    assert "|| true" not in runs and all("continue-on-error" not in s for s in job["steps"])


def test_the_offline_report_says_whether_a_real_model_judges_the_change(workflows, repo_root):
    step = next(s for _, s in steps(workflows["ci"]) if "REAL_MODEL_EVAL" in (s.get("env") or {}))
    value = step["env"]["REAL_MODEL_EVAL"]
    push = {**pull_request(), "github.event_name": "push"}
    assert expression(value, push) == "push"
    assert expression(value, pull_request(fork=True)) == "fork"
    assert expression(value, pull_request(fork=True, configured=False)) == "fork"
    assert expression(value, pull_request(configured=False)) == "unconfigured"
    assert expression(value, pull_request()) == "runs"
    # every value is a scope the eval command line knows (and renders as a sentence)
    cli = ast.parse((repo_root / "template" / "eval" / "cli.py").read_text())
    scopes = next(
        n.value
        for n in ast.walk(cli)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SCOPES"
    )
    assert {k.value for k in scopes.keys} == {"push", "fork", "unconfigured", "runs"}
    assert 'REAL_MODEL_EVAL="$REAL_MODEL_EVAL"' in step["run"]


def run_comment_step(job: dict, tmp_path: Path, env: dict[str, str]) -> str:
    """Run the comment step's script with a gh that keeps the body it was given."""
    script = next(s for s in job["steps"] if "gh pr comment" in s.get("run", ""))["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(
        '#!/bin/sh\necho "$@" > "$GH_ARGS"\n'
        'while [ "$1" != "--body-file" ]; do shift; done; cp "$2" "$GH_BODY"\n'
    )
    gh.chmod(0o755)
    full_env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_ARGS": str(tmp_path / "args"),
        "GH_BODY": str(tmp_path / "body.md"),
        "GH_TOKEN": "t",
        "PR_NUMBER": "7",
        "GITHUB_REPOSITORY": "team/workload",
        **env,
    }
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "pr comment 7 --repo team/workload --edit-last --create-if-none"
        in (tmp_path / "args").read_text()
    )
    return (tmp_path / "body.md").read_text()


def write_report(root: Path, artifact: str, name: str, text: str) -> None:
    path = root / artifact / name / "comment.md"
    path.parent.mkdir(parents=True)
    path.write_text(text)


def test_the_comment_joins_both_gates_reports(workflows, tmp_path):
    job = workflows["ci"]["jobs"]["eval-comment"]
    assert job["needs"] == ["eval-gate", "eval-real-model"]
    results = tmp_path / "eval-results"
    write_report(results, "eval-offline", "eval-offline", "### Offline eval gate: PASSED\n")
    write_report(results, "eval-real", "eval-real", "### Eval gate, real model: FAILED\n")
    body = run_comment_step(job, tmp_path, {"OFFLINE_RESULT": "success", "REAL_RESULT": "failure"})
    assert body.index("Offline eval gate: PASSED") < body.index("real model: FAILED")


def test_the_comment_says_why_a_gate_has_no_report(workflows, tmp_path):
    job = workflows["ci"]["jobs"]["eval-comment"]
    write_report(tmp_path / "eval-results", "eval-offline", "eval-offline", "offline report\n")
    skipped = run_comment_step(
        job, tmp_path, {"OFFLINE_RESULT": "success", "REAL_RESULT": "skipped"}
    )
    assert "Real-model eval gate" not in skipped  # the offline report already says why
    failed = run_comment_step(
        job, tmp_path, {"OFFLINE_RESULT": "success", "REAL_RESULT": "failure"}
    )
    expected = "### Real-model eval gate: no report (job failure): the evaluation could not run"
    assert expected in failed


def test_prompt_compare_runs_on_variant_changes_and_keeps_forks_offline(workflows):
    flow = workflows["prompt-compare"]
    assert triggers(flow)["pull_request"]["paths"] == ["prompts/**", "evals/variants.yaml"]
    offline, real = flow["jobs"]["offline"], flow["jobs"]["real-model"]
    assert "id-token" not in offline["permissions"] and "if" not in offline
    assert expression(real["if"], pull_request()) is True
    assert expression(real["if"], pull_request(fork=True)) is False
    assert expression(real["if"], pull_request(configured=False)) is False
    for job, target in ((offline, "compare-changed"), (real, "compare-changed-real")):
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["fetch-depth"] == 0  # the base branch's variants are needed
        runs = " ".join(s.get("run", "") for s in job["steps"])
        assert make_targets(runs) == {target} and 'BASE="$BASE_SHA"' in runs
    comment = flow["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    assert "head.repo.full_name == github.repository" in comment["if"]


def test_prompt_compare_fails_on_a_worse_variant(repo_root):
    mk = (repo_root / "template" / "mk" / "eval.mk.jinja").read_text()
    recipe = re.search(r"^COMPARE_CHANGED = (.*(?:\\\n.*)*)", mk, re.MULTILINE)
    assert recipe and "--fail-if-worse" in recipe.group(1)


def test_redteam_is_scheduled_offline_and_against_the_deployed_app(workflows):
    flow = workflows["redteam"]
    on = triggers(flow)
    assert "schedule" in on and "workflow_dispatch" in on and "pull_request" not in on
    guard, deployed = flow["jobs"]["guardrails"], flow["jobs"]["deployed"]
    # the deployed app takes Entra tokens only: the monitor identity logs in, on main (its
    # federated subject), where the schedule runs
    configured = {
        "vars.APP_URL": "https://app.example",
        "vars.AZURE_MONITOR_CLIENT_ID": "m",
        "github.ref": "refs/heads/main",
    }
    assert expression(deployed["if"], configured) is True
    for unset in configured:
        assert expression(deployed["if"], {**configured, unset: ""}) is False, unset
    assert "id-token" not in guard["permissions"]
    assert deployed["permissions"]["id-token"] == "write"
    for job in (guard, deployed):
        upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
        assert upload["with"]["retention-days"] >= 90
        assert make_targets(" ".join(s.get("run", "") for s in job["steps"])) == {"redteam"}
    assert 'URL="$APP_URL"' in " ".join(s.get("run", "") for s in deployed["steps"])
