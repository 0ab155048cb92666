"""Every az argument list the generated repo's deploy/ builds, through the real Azure CLI.

The azure-cli package (PyPI, its own locked environment .venv-azcli) parses each command; core
commands then run until they stop for want of a login, which proves the parser accepted every
word. Commands whose handler would reach the network before asking for a login (deployments
fetch the Bicep CLI) stop right after parsing. Commands that live in CLI extensions cannot be
installed offline: they are listed in UNCHECKED with the reason, and a test keeps that list
honest (the CLI really does not know them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
pytestmark = pytest.mark.slow

# az command groups (first words) that come from extensions, not from azure-cli itself
UNCHECKED = {
    ("monitor", "app-insights"): "application-insights extension (installs itself on first use "
    "online; extensions cannot be installed offline). Its flags are pinned in "
    "tests/workflows/fake_az.py from the extension's reference.",
}


@pytest.fixture(scope="session")
def azcli_python() -> str:
    """The python of the azure-cli environment: .ci/run creates it in CI; elsewhere it is
    created from the locked group on first use, or the tests skip if that is impossible."""
    configured = os.environ.get("GENAIOPS_AZCLI_PYTHON")
    if configured:
        return configured
    env_dir = REPO_ROOT / ".venv-azcli"
    python = env_dir / "bin" / "python"
    if python.is_file():
        return str(python)
    if os.environ.get("CI"):
        pytest.fail(f"{env_dir} is missing: .ci/run creates it")
    uv = shutil.which("uv")
    command = [uv] if uv else [sys.executable, "-m", "uv"]
    proc = subprocess.run(
        [*command, "sync", "--frozen", "--only-group", "azure-cli", "--no-install-project"],
        cwd=REPO_ROOT,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot create {env_dir}: {proc.stderr[-500:]}")
    return str(python)


def deploy_modules(repo: Path) -> dict[str, Any]:
    sys.path.insert(0, str(repo))
    try:
        for name in list(sys.modules):
            if name == "deploy" or name.startswith("deploy."):
                del sys.modules[name]
        import deploy.azure as azure
        import deploy.azure_setup as azure_setup
        import deploy.contract as contract
        import deploy.image as image
        import deploy.index_refresh as index_refresh
        import deploy.infra as infra
        import deploy.queries as queries
    finally:
        sys.path.remove(str(repo))
    return {
        "azure": azure,
        "image": image,
        "index_refresh": index_refresh,
        "infra": infra,
        "azure_setup": azure_setup,
        "contract": contract,
        "queries": queries,
    }


def commands(repo: Path) -> dict[str, list[list[str]]]:
    """Every az command the builders make, with realistic values ("login" / "parse" mode)."""
    m = deploy_modules(repo)
    app = m["azure"].AzureContainerApp(
        "ca-chat", "rg-chat", appinsights="appi", environment="cae-x"
    )
    stable, canary = "ca-chat--g1111111-r1", "ca-chat--g2222222-r1"
    login = [
        app.cmd_latest_ready(),
        app.cmd_traffic_show(),
        app.cmd_traffic_set({stable: 90, canary: 10}),
        app.cmd_create_revision("cr.azurecr.io/ca-chat:abc", "g2222222-r1"),
        app.cmd_revision_state(canary),
        app.cmd_label_add("canary", canary),
        app.cmd_deactivate(canary),
        app.cmd_default_domain(),
        m["image"].build_command("crchat12", "ca-chat", "abc123", "Dockerfile"),
        m["image"].build_command("crchat12", "ca-chat", "abc123", "Dockerfile", "build"),
        m["index_refresh"].alias_command("srch-chat", "grounding-docs", "grounding-docs-v8"),
        m["infra"].app_exists_command("ca-chat", "rg-chat"),
        m["azure_setup"].credentials_command("rg-chat", "id-deploy-abc"),
        m["azure_setup"].subscription_command(),
        *m["azure_setup"].entra_app_commands("chat-api"),
        *m["azure_setup"].entra_app_finish_commands("11111111-2222-3333-4444-555555555555"),
        # every caller's bearer token for the deployed app (deploy/app_auth.py, AzureCliCredential)
        m["contract"].token_command("api://11111111-2222-3333-4444-555555555555"),
        m["azure_setup"].object_id_command("11111111-2222-3333-4444-555555555555"),
        m["azure_setup"].role_assignment_command(
            "33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444"
        ),
        *m["azure_setup"].bootstrap_commands(
            "00000000-0000-0000-0000-000000000000",
            "11111111-1111-1111-1111-111111111111",
            "22222222-2222-2222-2222-222222222222",
            "chat",
        ),
    ]
    env_file = Path("infra/env/prod.bicepparam")
    parse = [
        m["infra"].bicep_command("provision", env_file, "swedencentral", "chat-prod-1"),
        m["infra"].bicep_command("preview", env_file, "swedencentral", "chat-prod-1"),
    ]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    extension = [app.cmd_appinsights_query(m["queries"].gate_query(stable, canary, since, 60), 65)]
    return {"login": login, "parse": parse, "extension": extension}


# Which core command module registers a group: asked of the installed azure-cli's own sources
# (running an unknown command makes the CLI load its whole command table: ~3 minutes here).
GROUPS_OF = """
import json, pathlib, re, sys
import azure.cli.command_modules as modules
root = pathlib.Path(modules.__file__).parent
found = {}
for path in root.glob("*/commands.py"):
    for group in re.findall(r"command_group\\(\\s*'([a-z -]+)'", path.read_text()):
        found.setdefault(group, path.parent.name)
json.dump(found, sys.stdout)
"""


def az_literals(repo: Path) -> set[tuple[str, ...]]:
    """The command groups written as `"az", "<group>", "<sub>"` anywhere in deploy/."""
    found: set[tuple[str, ...]] = set()
    for path in (repo / "deploy").glob("*.py"):
        for match in re.finditer(r'"az",\s*"([a-z-]+)"(?:,\s*"([a-z-]+)")?', path.read_text()):
            found.add(tuple(w for w in match.groups() if w))
    return found


@pytest.fixture(scope="module")
def parsed(generated: Any, azcli_python: str) -> dict[str, Any]:
    repo = generated()
    built = commands(repo)
    request = {"login": built["login"], "parse": built["parse"]}
    proc = subprocess.run(
        [azcli_python, str(HERE / "az_cli_parse.py"), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    groups = subprocess.run(
        [azcli_python, "-c", GROUPS_OF], capture_output=True, text=True, timeout=300, check=True
    )
    return {
        "repo": repo,
        "built": built,
        "results": json.loads(proc.stdout),
        "core_groups": json.loads(groups.stdout),
    }


def test_every_core_command_fails_only_for_want_of_a_login(parsed: dict[str, Any]) -> None:
    login = [r for r in parsed["results"] if r["mode"] == "login"]
    assert len(login) == len(parsed["built"]["login"])
    bad = [
        (r["argv"][:5], r["log"])
        for r in login
        if r["code"] != 1 or not any("az login" in line for line in r["log"])
    ]
    assert bad == []


def test_deployment_commands_are_accepted_by_the_parser(parsed: dict[str, Any]) -> None:
    parse = [r for r in parsed["results"] if r["mode"] == "parse" and r["argv"][1] == "deployment"]
    assert len(parse) == 2 and all(r["parsed"] for r in parse), parse


def test_extension_commands_are_unknown_to_the_core_cli_so_listed_unchecked(
    parsed: dict[str, Any],
) -> None:
    core = parsed["core_groups"]
    assert "containerapp" in core and "monitor log-analytics workspace" in core  # calibration
    for command in parsed["built"]["extension"]:
        group = " ".join(command[1:3])
        assert group not in core, f"{group} is in azure-cli itself now: parse it, drop UNCHECKED"
        assert tuple(command[1:3]) in UNCHECKED


def test_every_az_group_deploy_uses_is_checked_or_listed(parsed: dict[str, Any]) -> None:
    built = parsed["built"]
    checked = {tuple(c[1:3]) for c in built["login"] + built["parse"]}
    checked |= {tuple(c[1:2]) for c in built["login"] + built["parse"]}
    for group in az_literals(parsed["repo"]):
        assert group in checked or group[:2] in UNCHECKED, group


def test_the_parser_does_reject_an_unknown_argument(azcli_python: str) -> None:
    """Calibration: the same harness fails a misspelt option (so a pass above means something)."""
    request = {"login": [["az", "containerapp", "update", "-n", "a", "-g", "b", "--imagex", "x"]]}
    proc = subprocess.run(
        [azcli_python, str(HERE / "az_cli_parse.py"), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    result = json.loads(proc.stdout)[0]
    assert result["code"] == 2 and any("unrecognized arguments" in x for x in result["log"])
