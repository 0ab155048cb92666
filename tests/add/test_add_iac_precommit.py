"""`genaiops add iac` and `add pre-commit` only where the repository has none of its own; a
repository that has them is refused with the reason (and, for IaC, pointed at assess)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shapes import commit, write

CDK_APP = {
    "cdk/package.json": '{"name": "infra", "devDependencies": {"aws-cdk-lib": "2.150.0"}}\n',
    "cdk/cdk.json": '{"app": "npx ts-node bin/app.ts"}\n',
    "cdk/bin/app.ts": "import * as cdk from 'aws-cdk-lib';\nconst app = new cdk.App();\n",
    "cdk/lib/stack.ts": "import * as cdk from 'aws-cdk-lib';\n"
    "export class Stack extends cdk.Stack {}\n",
}


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts)


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (
            {"infra/main.bicep": "param location string\n"},
            "bicep: 1 file(s), e.g. infra/main.bicep",
        ),
        ({"deploy/main.tf": 'resource "azurerm_resource_group" "rg" {}\n'}, "terraform"),
        (CDK_APP, "cdk"),
    ],
    ids=["bicep", "terraform", "cdk"],
)
def test_iac_is_refused_where_the_repository_has_its_own(
    shape: Callable[[str], Path], cli, files: dict[str, str], said: str
) -> None:
    root = shape("pytest-actions")
    write(root, files)
    commit(root, "own infra")
    before = _files(root)
    result = cli("add", "iac", root, "--defaults")
    assert result.code == 2
    assert "has infrastructure as code of its own" in result.err and said in result.err
    assert "`genaiops assess` reports on the IaC you have" in result.err
    assert "skipped:" in result.out  # the plan says what it found
    assert _files(root) == before


def test_iac_where_there_is_none_works_with_the_repositorys_make(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("poetry-makefile")
    result = cli("add", "iac", root, "--defaults")
    assert result.code == 0, result.err
    assert (root / "infra/main.bicep").is_file() and (root / "mk/genaiops-iac.mk").is_file()
    assert not (root / "azure.yaml").exists()  # its hooks need a generated repository
    assert "azure.yaml (azd): its hooks run the delivery code" in result.out
    for target, runs in (
        ("iac-scan", "checkov --directory infra"),
        ("preflight", "tools/preflight.py"),
    ):
        dry = subprocess.run(["make", "-n", target], cwd=root, capture_output=True, text=True)
        assert dry.returncode == 0 and runs in dry.stdout, dry.stderr
        if target == "iac-scan":  # $(UV) comes from mk/genaiops-iac.mk: uv on PATH or bootstrapped
            assert re.match(r"^\S*(/|^)uv tool run --from checkov==", dry.stdout), dry.stdout


def test_pre_commit_only_without_a_config_of_its_own(shape: Callable[[str], Path], cli) -> None:
    root = shape("monorepo")
    assert cli("add", "pre-commit", root, "--defaults").code == 0
    assert "repo: local" in (root / ".pre-commit-config.yaml").read_text()
    assert not (root / "Makefile").exists()  # no make targets, so no Makefile
    other = shape("pytest-actions")
    write(other, {".pre-commit-config.yaml": "repos: []\n"})
    commit(other, "hooks")
    refused = cli("add", "pre-commit", other, "--defaults")
    assert refused.code == 2 and "has its own .pre-commit-config.yaml" in refused.err
    assert (other / ".pre-commit-config.yaml").read_text() == "repos: []\n"
