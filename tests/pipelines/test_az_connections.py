"""The az command lines of `make azure-devops-connections`, through the real Azure CLI.

azure-cli from PyPI (the locked `azure-cli` group, .venv-azcli, which .ci/run creates) parses
each command offline; a core command that gets past its parser stops for want of a login.
The helper is tests/workflows/az_cli_parse.py. A misspelt flag must be refused (exit 2).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "tests" / "workflows" / "az_cli_parse.py"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def azcli_python() -> str:
    configured = os.environ.get("GENAIOPS_AZCLI_PYTHON")
    python = Path(configured) if configured else ROOT / ".venv-azcli" / "bin" / "python"
    if not python.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{python} is missing: .ci/run creates .venv-azcli")
        pytest.skip(f"{python} is missing (uv sync --only-group azure-cli into .venv-azcli)")
    return str(python)


def _forget_deploy() -> None:
    for name in [n for n in sys.modules if n == "deploy" or n.startswith("deploy.")]:
        del sys.modules[name]  # other tests import a generated repo's deploy package


def connection_commands() -> list[list[str]]:
    sys.path.insert(0, str(ROOT / "template"))
    _forget_deploy()  # before too: a generated repo's deploy/ may be imported already
    try:
        from deploy import azure_devops
    finally:
        sys.path.remove(str(ROOT / "template"))
        _forget_deploy()
    issuer = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"
    subject = "/eid1/c/pub/t/AAAA/a/BBBB/sc/11111111-2222-3333-4444-555555555555/66666666-7777"
    return [
        azure_devops.TOKEN_COMMAND,
        azure_devops.SUBSCRIPTION_COMMAND,
        azure_devops.identity_client_id_command("id-deploy-abc", "rg-workload"),
        azure_devops.federated_credential_command(
            "id-deploy-abc", "rg-workload", "genaiops-deploy", issuer, subject
        ),
    ]


def test_the_connection_commands_parse_with_the_real_cli(azcli_python):
    commands = connection_commands()
    misspelt = [w if w != "--audiences" else "--audience-list" for w in commands[-1]]
    proc = subprocess.run(
        [azcli_python, str(HELPER), json.dumps({"login": [*commands, misspelt]})],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)
    for result in results[:-1]:
        assert result["code"] == 1, result
        assert any("az login" in line for line in result["log"]), result
    refused = results[-1]
    assert refused["code"] == 2
    assert any("unrecognized arguments: --audience-list" in line for line in refused["log"])
