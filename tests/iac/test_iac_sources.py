"""iac/ is the single source: each file reaches a generated repo through exactly one stub, and
the answers select the right files. Plus the generated repo's own infra targets and tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iac_matrix import MATRIX

INCLUDE = re.compile(r"{%-?\s*include\s+'(iac/[^']+)'\s*-?%}")


def stubs(repo_root: Path) -> dict[str, list[str]]:
    """iac file -> template files that include it."""
    found: dict[str, list[str]] = {}
    for path in (repo_root / "template").rglob("*.jinja"):
        for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(target, []).append(path.relative_to(repo_root).as_posix())
    return found


def test_every_iac_file_has_exactly_one_stub(repo_root: Path) -> None:
    sources = {
        p.relative_to(repo_root).as_posix()
        for p in (repo_root / "iac").rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    included = stubs(repo_root)
    assert sources == set(included)
    assert {k: v for k, v in included.items() if len(v) != 1} == {}


def test_stubs_are_only_an_include(repo_root: Path) -> None:
    for files in stubs(repo_root).values():
        text = (repo_root / files[0]).read_text(encoding="utf-8")
        assert INCLUDE.fullmatch(text.strip()), files[0]


def files_of(repo: Path) -> set[str]:
    return {
        p.relative_to(repo / "infra").as_posix() for p in (repo / "infra").rglob("*") if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MATRIX))
def test_answers_select_the_files(iac_repos: dict[str, Path], name: str) -> None:
    answers = MATRIX[name]
    files = files_of(iac_repos[name])
    bicep = {f for f in files if f.endswith((".bicep", ".bicepparam"))}
    terraform = {f for f in files if f.endswith((".tf", ".tfvars", ".tfvars.json"))}
    assert bool(bicep) == (answers["iac"] == "bicep")
    assert bool(terraform) == (answers["iac"] == "terraform")
    apim = {f for f in files if "apim" in f}
    assert bool(apim) == (answers["gateway"] == "apim")
    network = {f for f in files if "network" in f or "private-endpoint" in f}
    assert bool(network) == (answers["iac_profile"] == "prod")
    policies = {f for f in files if f.startswith("policies/")}
    assert len(policies) == 4
    assert "{%" not in "".join((iac_repos[name] / "infra" / f).read_text() for f in files)
    azure_yaml = (iac_repos[name] / "azure.yaml").read_text()
    assert f"provider: {answers['iac']}" in azure_yaml
    assert "host: containerapp" in azure_yaml


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
@pytest.mark.parametrize("name", [n for n, a in MATRIX.items() if a["iac"] == "terraform"])
def test_terraform_is_formatted(iac_repos: dict[str, Path], name: str) -> None:
    proc = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff"],
        cwd=iac_repos[name] / "infra",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
def test_generated_make_targets_run(
    iac_repos: dict[str, Path], checkov_bin: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(iac_repos["terraform-prod"], repo)
    scan = subprocess.run(
        ["make", "iac-scan", f"CHECKOV={checkov_bin}", "CHECKOV_SARIF_DIR=reports/iac"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert scan.returncode == 0, scan.stdout[-3000:] + scan.stderr[-3000:]
    assert "Failed checks: 0" in scan.stdout
    # the SARIF the ci workflow uploads to code scanning is really written where it looks
    sarif = list((repo / "reports" / "iac").glob("*.sarif"))
    assert len(sarif) == 1, scan.stdout[-2000:]
    assert json.loads(sarif[0].read_text())["runs"][0]["tool"]["driver"]["name"] == "Checkov"
    # past the shipped chat model's retirement date (2027-09-21) preflight fails and says so
    retired = subprocess.run(
        ["make", "preflight", "PREFLIGHT_ARGS=--today 2027-10-01"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert retired.returncode != 0
    assert "gpt-5.4-mini 2026-03-17 retires no earlier than 2027-09-21" in retired.stdout
    before = "PREFLIGHT_ARGS=--today 2026-12-01"
    preflight = subprocess.run(
        ["make", "preflight", before],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert preflight.returncode == 0, preflight.stdout + preflight.stderr
    assert "0 warning(s)" in preflight.stdout
    # a region where the default embedding model has no GlobalStandard offer fails the target
    tfvars = repo / "infra" / "env" / "prod.tfvars"
    tfvars.write_text(
        tfvars.read_text().replace(
            'location         = "swedencentral"', 'location         = "southeastasia"'
        )
    )
    failing = subprocess.run(
        ["make", "preflight", before],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failing.returncode != 0
    assert "is not offered in southeastasia" in failing.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bicep-dev", "terraform-prod"])
def test_generated_preflight_tests_pass(
    iac_repos: dict[str, Path], name: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(iac_repos[name], repo)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # the preflight is stdlib-only: its tests need neither the app nor its conftest
            "--noconftest",
            "tests/test_infra_preflight.py",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "11 passed" in proc.stdout
