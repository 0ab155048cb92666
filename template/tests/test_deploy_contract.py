"""deploy/contract.py against the files that must agree with it: the runbook's tables, the
GitHub variables the workflows read, and the OIDC subject each Azure job presents."""

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deploy import contract  # noqa: E402


def answer(key: str) -> str:
    text = (REPO / ".copier-answers.yml").read_text(encoding="utf-8")
    match = re.search(rf"^{key}:\s*['\"]?([^'\"\n]+)", text, re.MULTILINE)
    assert match, key
    return match.group(1).strip()


USE_CASE, GATEWAY, PROFILE = answer("use_case"), answer("gateway"), answer("iac_profile")


def section(name: str) -> str:
    text = (REPO / "docs" / "runbook.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}: .*?-->\n(.*?)<!-- end of {name} -->", text, re.DOTALL)
    assert match, name
    return match.group(1)


def workflows() -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((REPO / ".github" / "workflows").glob("*.yml"))
    }


def test_the_runbook_permission_table_is_the_contract() -> None:
    assert section("permissions") == contract.markdown(USE_CASE, GATEWAY, PROFILE)


def test_the_runbook_variable_table_is_the_contract() -> None:
    rows = re.findall(r"^\| `([A-Z_]+)` \| `([A-Z_]+)` \|", section("variables"), re.MULTILINE)
    assert rows == [(v.name, v.output) for v in contract.variables(USE_CASE)]


def test_workflows_read_only_variables_the_setup_sets() -> None:
    known = {v.name for v in contract.variables(USE_CASE)}
    known |= {"TF_BACKEND_RESOURCE_GROUP", "TF_BACKEND_STORAGE_ACCOUNT", "TF_BACKEND_CONTAINER"}
    known |= {"AZURE_PRIVATE_RUNNER"}  # optional: the runner label inside the VNet (prod)
    for path in (REPO / ".github" / "workflows").glob("*.yml"):
        used = set(re.findall(r"vars\.([A-Z_]+)", path.read_text(encoding="utf-8")))
        assert used <= known, (path.name, sorted(used - known))


def test_each_azure_login_uses_the_identity_whose_subject_the_job_presents() -> None:
    by_variable = {i.variable: i for i in contract.github_identities(USE_CASE)}
    logins = 0
    for name, workflow in workflows().items():
        for job_id, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if not str(step.get("uses", "")).startswith("azure/login@"):
                    continue
                logins += 1
                variable = re.search(r"vars\.([A-Z_]+)", step["with"]["client-id"]).group(1)
                identity = by_variable[variable]
                if job.get("environment"):
                    subject = f"environment:{job['environment']}"
                elif name in ("monitor", "redteam"):
                    subject = "ref:refs/heads/main"  # scheduled runs: the default branch
                else:
                    subject = "pull_request"
                assert identity.subject == subject, (name, job_id, identity.name)
    assert logins >= 4
