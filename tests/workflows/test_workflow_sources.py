"""The workflow sources in workflows/: wired into the template, and hardened by construction."""

from __future__ import annotations

import re

import pytest
from workflow_facts import CONDITIONAL, NAMES, load, make_targets, steps, triggers

PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def sources(repo_root):
    return {name: repo_root / "workflows" / f"{name}.yml" for name in NAMES}


def test_every_source_has_exactly_one_include_stub(repo_root):
    sources = sorted(p.name for p in (repo_root / "workflows").glob("*.yml"))
    assert sources == sorted(f"{n}.yml" for n in NAMES)
    expected = []
    for name in sources:
        stem = name.removesuffix(".yml")
        file = f"{name}.jinja"
        if stem in CONDITIONAL:  # rendered only when the condition holds
            file = f"{{% if {CONDITIONAL[stem]} %}}{name}{{% endif %}}.jinja"
        stub = repo_root / "template" / ".github" / "workflows" / file
        assert stub.read_text() == f"{{% include 'workflows/{name}' %}}", name
        expected.append(file)
    stubs = sorted(p.name for p in (repo_root / "template/.github/workflows").iterdir())
    assert stubs == sorted(expected)


def test_sources_are_wrapped_in_raw_and_stay_plain_yaml(sources):
    for path in sources.values():
        lines = path.read_text().splitlines()
        assert lines[0] == "# genaiops-managed workflow {%- raw %}", path.name
        assert lines[-1] == "# end of genaiops-managed workflow {%- endraw %}", path.name
        body = "\n".join(lines[1:-1])
        # a Jinja statement inside would end the raw block early; ${{ }} is fine inside it
        assert "{%" not in body, f"{path.name}: Jinja statement inside the raw block"
        assert load(path)["name"] == path.stem


def test_permissions_are_empty_at_the_top_and_declared_per_job(sources):
    for path in sources.values():
        workflow = load(path)
        assert workflow["permissions"] == {}, path.name
        for job_id, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}:{job_id}"
            assert "write-all" not in str(job["permissions"])


def test_every_action_is_pinned_to_a_commit_with_its_version(sources):
    for path in sources.values():
        text = path.read_text()
        for _, step in steps(load(path)):
            if "uses" in step:
                assert PIN.match(step["uses"]), f"{path.name}: {step['uses']}"
        for line in text.splitlines():
            if "uses:" in line:
                assert VERSION_COMMENT.search(line), f"{path.name}: {line.strip()}"


def test_checkouts_do_not_persist_credentials(sources):
    for path in sources.values():
        for job_id, step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{path.name}:{job_id}"


def test_no_expression_is_expanded_inside_a_run_script(sources):
    for path in sources.values():
        for job_id, step in steps(load(path)):
            assert "${{" not in step.get("run", ""), f"{path.name}:{job_id}: use env:"


def test_oidc_token_only_in_jobs_that_log_in_to_azure(sources):
    for path in sources.values():
        workflow = load(path)
        for job_id, job in workflow["jobs"].items():
            logs_in = any(
                s.get("uses", "").startswith("azure/login@") for s in job.get("steps", [])
            )
            assert (job["permissions"].get("id-token") == "write") == logs_in, (
                f"{path.name}:{job_id}"
            )
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("azure/login@"):
                    assert set(step["with"]) == {"client-id", "tenant-id", "subscription-id"}
                    assert all(v.startswith("${{ vars.") for v in step["with"].values())


def test_no_cloud_secret_anywhere(sources):
    for path in sources.values():
        text = path.read_text()
        assert "secrets." not in text, path.name  # OIDC only, no stored credential or fallback
        assert "creds:" not in text


def test_pull_request_workflows_are_offline_and_safe_for_forks(sources):
    for path in sources.values():
        on = triggers(load(path))
        assert "pull_request_target" not in on and "workflow_run" not in on, path.name
    ci = load(sources["ci"])
    assert "pull_request" in triggers(ci)
    for job_id, job in ci["jobs"].items():
        if "id-token" in job["permissions"]:  # the real-model eval: configured, never forks
            guard = str(job.get("if", ""))
            assert "head.repo.full_name == github.repository" in guard, job_id
            assert "vars.AZURE_EVAL_CLIENT_ID != ''" in guard, job_id
            assert "environment" not in job, job_id  # the federated subject is ...:pull_request
            continue
        writes = {k for k, v in job["permissions"].items() if v == "write"}
        if writes:  # only the SARIF upload and the PR comment, both skipped for forks
            guard = str(job.get("if", "")) + " ".join(
                str(s.get("if", "")) for s in job["steps"] if "uses" in s
            )
            assert "head.repo.full_name == github.repository" in guard, job_id


def test_deploy_is_serialised_gated_and_rolls_back_on_failure_or_cancel(sources):
    deploy = load(sources["deploy"])
    assert deploy["concurrency"]["cancel-in-progress"] is False
    canary = deploy["jobs"]["canary"]
    assert canary["environment"] == "prod"
    assert canary["needs"] == ["verify", "provision"]  # provision on merge, then deploy
    runs = [s.get("run", "") for s in canary["steps"]]
    order = ["make image-build", "make canary-start", "make canary-smoke", "make canary-rollout"]
    assert [r for r in runs if r in order] == order
    rollback = next(s for s in canary["steps"] if s.get("run") == "make canary-rollback")
    assert rollback["if"] == "failure() || cancelled()"
    rollout = next(s for s in canary["steps"] if s.get("run") == "make canary-rollout")
    # a stuck rollout step fails on its own timeout while the job still has time to roll back
    assert rollout["timeout-minutes"] + rollback["timeout-minutes"] < canary["timeout-minutes"]
    verify = deploy["jobs"]["verify"]
    assert {"make test", "make eval"} <= {s.get("run") for s in verify["steps"]}


def test_eval_gate_fails_the_job_and_reports(sources):
    job = load(sources["ci"])["jobs"]["eval-gate"]
    gate = next(s for s in job["steps"] if "make -s eval" in s.get("run", ""))
    assert "|| true" not in gate["run"] and "continue-on-error" not in gate
    assert load(sources["ci"])["defaults"]["run"]["shell"] == "bash"  # pipefail keeps the code
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in job["steps"])
    assert any(s.get("uses", "").startswith("actions/upload-artifact@") for s in job["steps"])


def test_make_targets_are_found_in_run_scripts():
    assert make_targets("make -s eval | tee x") == {"eval"}
    assert make_targets("mkdir -p r\nmake iac-scan CHECKOV_SARIF_DIR=reports/iac") == {"iac-scan"}
    assert make_targets('$(MAKE) eval-online URL="$$(x)"') == {"eval-online"}
    assert make_targets("gh auth setup-git\nmake template-update") == {"template-update"}


def test_infra_changes_are_previewed_read_only_and_provisioned_before_deploying(sources):
    preview = load(sources["infra-preview"])
    assert set(triggers(preview)) == {"pull_request"}  # the preview identity's only subject
    job = preview["jobs"]["preview"]
    assert "head.repo.full_name == github.repository" in job["if"]  # forks get the notice job
    assert "vars.AZURE_PREVIEW_CLIENT_ID != ''" in job["if"]
    login = next(s for s in job["steps"] if s.get("uses", "").startswith("azure/login@"))
    assert login["with"]["client-id"] == "${{ vars.AZURE_PREVIEW_CLIENT_ID }}"
    assert [s["run"] for s in job["steps"] if "run" in s] == ["make infra-preview ENV=prod"]
    skipped = preview["jobs"]["skipped"]
    assert skipped["permissions"] == {} and "::notice" in skipped["steps"][0]["run"]

    deploy = load(sources["deploy"])
    provision = deploy["jobs"]["provision"]
    assert provision["environment"] == "prod" and provision["needs"] == "verify"
    runs = [s.get("run") for s in provision["steps"]]
    assert "make provision ENV=prod" in runs
    login = next(s for s in provision["steps"] if s.get("uses", "").startswith("azure/login@"))
    assert login["with"]["client-id"] == "${{ vars.AZURE_PROVISION_CLIENT_ID }}"
    canary = deploy["jobs"]["canary"]
    attest = next(
        s for s in canary["steps"] if s.get("uses", "").startswith("actions/attest-build")
    )
    assert attest["with"]["subject-digest"] == "${{ steps.image.outputs.digest }}"
    assert canary["permissions"]["attestations"] == "write"


# make targets that call the deployed app (deploy/contract.py CALLS "allowed caller: app"):
# the canary's smoke + online eval, load test and synthetic load, the daily online eval, and the
# red team when it is given the app's URL
APP_CALLING_TARGETS = {"canary-smoke", "canary-loadtest", "canary-rollout", "monitor"}


def _calls_the_app(script: str) -> bool:
    targets = make_targets(script)
    return bool(targets & APP_CALLING_TARGETS) or ("redteam" in targets and "URL=" in script)


def _contract(generated):
    """A generated repo's deploy/contract.py (it reads the rendered use case registry)."""
    import sys

    repo = generated()
    sys.path.insert(0, str(repo))
    try:
        for name in [n for n in sys.modules if n == "deploy" or n.startswith("deploy.")]:
            del sys.modules[name]
        import deploy.contract as contract
    finally:
        sys.path.remove(str(repo))
    return contract


def app_callers_missing_a_token(workflow, contract) -> list[str]:
    """Jobs that call the deployed app without the audience or without logging in as an
    identity the app accepts (contract.APP_CALLERS), before the first call."""
    caller_variables = {i.variable for i in contract.IDENTITIES if i.name in contract.APP_CALLERS}
    wanted = f"${{{{ vars.{contract.AUDIENCE_VARIABLE} }}}}"
    problems = []
    for job_id, job in workflow["jobs"].items():
        logged_in = False
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("azure/login@"):
                variable = re.fullmatch(r"\$\{\{ vars\.(\w+) \}\}", step["with"]["client-id"])
                logged_in = bool(variable) and variable.group(1) in caller_variables
            if _calls_the_app(str(step.get("run", ""))):
                env = {**job.get("env", {}), **step.get("env", {})}
                if env.get(contract.AUDIENCE_VARIABLE) != wanted:
                    problems.append(f"{job_id}: no {contract.AUDIENCE_VARIABLE}")
                if not logged_in:
                    problems.append(f"{job_id}: not logged in as an app caller")
                break
    return problems


@pytest.mark.slow
def test_every_job_that_calls_the_deployed_app_gets_a_token_for_it(sources, generated):
    """The deployed app takes Entra tokens only (APP_ENTRA_REQUIRED_ROLES): each caller logs in
    as deploy or monitor and passes the audience that deploy/app_auth.py and eval/app_auth.py
    get a token for."""
    contract = _contract(generated)
    callers = {}
    for name, path in sources.items():
        workflow = load(path)
        assert app_callers_missing_a_token(workflow, contract) == [], name
        callers[name] = [
            job_id
            for job_id, job in workflow["jobs"].items()
            if any(_calls_the_app(str(s.get("run", ""))) for s in job.get("steps", []))
        ]
    assert {n: j for n, j in callers.items() if j} == {
        "deploy": ["canary"],
        "monitor": ["check"],
        "redteam": ["deployed"],
    }


@pytest.mark.slow
def test_a_caller_without_login_or_audience_is_reported(sources, generated):
    """Calibration of the check above, on the red team's deployed job."""
    contract = _contract(generated)
    workflow = load(sources["redteam"])
    job = workflow["jobs"]["deployed"]
    del job["env"][contract.AUDIENCE_VARIABLE]
    job["steps"] = [s for s in job["steps"] if not str(s.get("uses", "")).startswith("azure/")]
    assert app_callers_missing_a_token(workflow, contract) == [
        f"deployed: no {contract.AUDIENCE_VARIABLE}",
        "deployed: not logged in as an app caller",
    ]
