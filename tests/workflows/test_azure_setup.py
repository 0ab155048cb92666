"""`make azure-setup`: the IaC outputs become exactly the GitHub variables the contract names.

gh and az are the fakes on PATH (fake_gh.py, fake_az.py); what is checked is what the
generated repo's own Makefile and deploy/azure_setup.py send them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from canary_rig import fake_az_bin
from genrepo import clean_env

pytestmark = pytest.mark.slow


def load_contract(repo: Path) -> Any:
    sys.path.insert(0, str(repo))
    try:
        for name in [n for n in sys.modules if n == "deploy" or n.startswith("deploy.")]:
            del sys.modules[name]
        import deploy.contract as contract
    finally:
        sys.path.remove(str(repo))
    return contract


@pytest.fixture
def setup_repo(generated: Any, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(generated(), repo, symlinks=True)
    subprocess.run(
        ["git", "remote", "add", "origin", "https://github.com/contoso/chat-workload.git"],
        cwd=repo,
        check=True,
    )
    return repo


def outputs_for(contract: Any, use_case: str) -> dict[str, dict[str, str]]:
    """What `az deployment sub show --query properties.outputs` returns: {NAME: {value}}."""
    values = {name: f"value-of-{name.lower()}" for name in contract.outputs(use_case)}
    values["AZURE_RESOURCE_GROUP"] = "rg-chat"
    values["AZURE_CONTAINER_REGISTRY_NAME"] = "crabc123"
    return {name: {"type": "String", "value": value} for name, value in values.items()}


def make(repo: Path, cli_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    work = repo.parent
    fakes = fake_az_bin(work / "bin")
    base = clean_env(cli_env)
    env = {
        **base,
        "PATH": f"{fakes}:{base['PATH']}",
        "FAKE_AZ_STATE": str(work / "azure.json"),
        "FAKE_AZ_LOG": str(work / "az.log"),
        "FAKE_GH_STATE": str(work / "github.json"),
        "FAKE_GH_LOG": str(work / "gh.log"),
    }
    env.pop("GITHUB_REPOSITORY", None)
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_azure_setup_sets_every_contract_variable_from_the_outputs(setup_repo, cli_env):
    repo = setup_repo
    contract = load_contract(repo)
    outputs = outputs_for(contract, "rag_chat")
    (repo.parent / "outputs.json").write_text(json.dumps(outputs))
    (repo.parent / "azure.json").write_text(
        json.dumps(
            {
                "subscription": "11111111-2222-3333-4444-555555555555",
                "credentials": {
                    "id-deploy-abc123": ["repo:contoso/chat-workload:environment:prod"]
                },
            }
        )
    )
    # --dry-run prints the commands and runs none
    dry = make(repo, cli_env, "azure-setup", f"OUTPUTS={repo.parent / 'outputs.json'}", "DRY_RUN=1")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "gh variable set AZURE_CLIENT_ID --repo contoso/chat-workload" in dry.stdout
    assert not (repo.parent / "gh.log").exists()

    done = make(repo, cli_env, "azure-setup", f"OUTPUTS={repo.parent / 'outputs.json'}")
    assert done.returncode == 0, done.stdout + done.stderr
    github = json.loads((repo.parent / "github.json").read_text())
    assert github["environments"] == ["prod"]
    expected = {
        v.name: outputs[v.output]["value"]
        for v in contract.variables("rag_chat")
        if v.output in outputs
    }
    expected["AZURE_SUBSCRIPTION_ID"] = "11111111-2222-3333-4444-555555555555"
    expected["AZURE_ENV_NAME"] = ""
    expected["AZURE_ACR_AGENT_POOL"] = outputs.get("AZURE_ACR_AGENT_POOL", {}).get("value", "")
    assert github["variables"]["repository"] == expected
    # the names the workflows read are the names that were set (and the deploy identity's
    # variable is the one deploy.yml's canary job logs in with)
    workflows = "".join(p.read_text() for p in (repo / ".github" / "workflows").glob("*.yml"))
    assert "client-id: ${{ vars.AZURE_CLIENT_ID }}" in workflows
    assert "client-id: ${{ vars.AZURE_MONITOR_CLIENT_ID }}" in workflows


def test_azure_setup_refuses_incomplete_outputs_and_a_foreign_repository(setup_repo, cli_env):
    repo = setup_repo
    contract = load_contract(repo)
    outputs = outputs_for(contract, "rag_chat")
    del outputs["AZURE_CONTAINER_APP_NAME"]
    (repo.parent / "outputs.json").write_text(json.dumps(outputs))
    (repo.parent / "azure.json").write_text(json.dumps({}))
    missing = make(repo, cli_env, "azure-setup", f"OUTPUTS={repo.parent / 'outputs.json'}")
    assert missing.returncode != 0
    assert "outputs missing" in missing.stderr and "AZURE_CONTAINER_APP_NAME" in missing.stderr
    assert not (repo.parent / "gh.log").exists()  # nothing was changed

    (repo.parent / "outputs.json").write_text(json.dumps(outputs_for(contract, "rag_chat")))
    (repo.parent / "azure.json").write_text(
        json.dumps({"credentials": {"id-deploy-abc123": ["repo:someone/else:environment:prod"]}})
    )
    foreign = make(repo, cli_env, "azure-setup", f"OUTPUTS={repo.parent / 'outputs.json'}")
    assert foreign.returncode != 0
    assert "re-provision with GITHUB_REPOSITORY=contoso/chat-workload" in foreign.stderr
    assert not (repo.parent / "gh.log").exists()


def test_the_repository_comes_from_the_git_remote(setup_repo, cli_env):
    proc = subprocess.run(
        [sys.executable, "-m", "deploy.azure_setup", "repo"],
        cwd=setup_repo,
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(cli_env),
    )
    assert proc.stdout.strip() == "contoso/chat-workload"
