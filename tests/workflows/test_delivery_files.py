"""The delivery files of a generated repo that no linter reads: Dockerfile, azure.yaml hooks,
CODEOWNERS."""

from __future__ import annotations

import re

from ruamel.yaml import YAML


def test_the_image_installs_exactly_the_lock_without_dev_or_eval_tools(generated):
    dockerfile = (generated() / "Dockerfile").read_text()
    copy = re.search(r"^COPY (.*) \./$", dockerfile, re.MULTILINE)
    assert copy and "uv.lock" in copy.group(1).split()  # the lock is in the build context
    sync = next(line for line in dockerfile.splitlines() if "uv sync" in line)
    assert "--locked" in sync  # fails on a stale lock instead of resolving anew
    assert "--no-default-groups" in sync  # the template's default groups are dev and eval
    assert "--extra azure" in sync
    assert "eval" not in sync and "--group" not in sync


def test_azd_hooks_wire_github_before_and_after_provisioning_and_gate_deploys(generated):
    repo = generated()
    azure = YAML(typ="safe").load((repo / "azure.yaml").read_text())
    pre = azure["hooks"]["preprovision"]["run"]
    assert "azd env set GITHUB_REPOSITORY" in pre and "deploy.azure_setup repo" in pre
    assert "AZURE_API_AUDIENCE" in pre and "deploy.azure_setup entra-app" in pre
    assert "deploy.azure_setup github" in azure["hooks"]["postprovision"]["run"]
    assert azure["services"]["api"]["hooks"]["predeploy"]["run"].strip() == "make eval"
    assert (repo / "deploy" / "azure_setup.py").is_file()


def test_codeowners_names_a_team_of_the_owner_organisation(generated):
    repo = generated({"owner": "contoso"})
    owners = [
        line.split()[1]
        for line in (repo / ".github" / "CODEOWNERS").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert owners and all(re.fullmatch(r"@contoso/[a-z0-9-]+", o) for o in owners), owners
