"""`genaiops add pipelines`: Azure Pipelines brought into a repository genaiops generated with
GitHub Actions only, and kept current by `genaiops update`; refused elsewhere.

The template is our real one (copier.yml, template/, workflows/, pipelines/, iac/) committed
twice: v0.1.0 as it is, v0.2.0 with one change in a pipeline source.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from genrepo import copy_template_root

V2_LINE = "# v0.2.0: a line the template added to the CI pipeline"
PIPELINE_FILES = {
    ".azure-pipelines/ci.azure-pipelines.yml",
    ".azure-pipelines/eval-real.azure-pipelines.yml",
    ".azure-pipelines/infra-preview.azure-pipelines.yml",
    ".azure-pipelines/prompt-compare.azure-pipelines.yml",
    ".azure-pipelines/redteam.azure-pipelines.yml",
    ".azure-pipelines/deploy.azure-pipelines.yml",
    ".azure-pipelines/monitor.azure-pipelines.yml",
    ".azure-pipelines/refresh-index.azure-pipelines.yml",
    ".azure-pipelines/template-update.azure-pipelines.yml",
    ".azure-pipelines/templates/azure-make.azure-pipelines.yml",
    ".azure-pipelines/templates/deploy-stage.azure-pipelines.yml",
    ".azure-pipelines/templates/setup.azure-pipelines.yml",
    "mk/pipelines.mk",
    "deploy/azure_devops.py",
    "docs/azure-devops.md",
    "tests/test_azure_devops.py",
}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tpl") / "genaiops"
    root.mkdir()
    copy_template_root(root)  # the files the bundle carries
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *ident, "commit", "-qm", "v0.1.0")
    git(root, "tag", "v0.1.0")
    ci = root / "pipelines" / "ci.azure-pipelines.yml"
    lines = ci.read_text().splitlines(keepends=True)
    ci.write_text("".join([lines[0], V2_LINE + "\n", *lines[1:]]))
    git(root, *ident, "commit", "-qam", "v0.2.0")
    git(root, "tag", "v0.2.0")
    return root


def files(repo: Path) -> set[str]:
    return set(git(repo, "ls-files").splitlines())


def test_add_pipelines_into_a_repo_genaiops_did_not_generate_is_refused(
    run_cli, template, tmp_path
):
    """The pipelines call a generated repository's make targets and deploy code; elsewhere they
    would be red on every stage (issue 18), so they are refused and nothing is written."""
    env = {"GENAIOPS_TEMPLATE_URL": str(template), "GENAIOPS_CACHE_DIR": str(tmp_path / "c")}
    repo = tmp_path / "payments-api"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("# payments\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "existing work")
    refused = run_cli("add", "pipelines", str(repo), "--defaults", env=env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "a repository `genaiops new` generated" in refused.stderr
    assert files(repo) == {"README.md"}
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.slow
def test_a_generated_github_repo_can_add_pipelines_and_update_keeps_both(
    run_cli, template, tmp_path
):
    env = {"GENAIOPS_TEMPLATE_URL": str(template), "GENAIOPS_CACHE_DIR": str(tmp_path / "c")}
    repo = tmp_path / "shop"

    def cli(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        proc = run_cli(*args, env=env)
        assert proc.returncode == code, proc.stdout + proc.stderr
        return proc

    cli("new", str(repo), "--template", str(template), "--vcs-ref", "v0.1.0", "--defaults")
    assert "ci: github" in (repo / ".copier-answers.yml").read_text()
    github_only = files(repo)
    assert not any(f.startswith(".azure-pipelines/") for f in github_only)
    # what the answers rendered is there already: adding it again is refused
    refused = cli("add", "workflows", str(repo), "--defaults", code=2)
    assert "already has every capability" in refused.stderr
    cli("add", "pipelines", str(repo), "--defaults", "--vcs-ref", "0.1.0")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Azure Pipelines")
    assert files(repo) - github_only == PIPELINE_FILES | {".copier-answers.pipelines.yml"}

    cli("update", str(repo), "--to", "0.2.0", "--defaults")
    assert files(repo) >= github_only | PIPELINE_FILES
    ci = (repo / ".azure-pipelines/ci.azure-pipelines.yml").read_text().splitlines()
    assert ci[1] == V2_LINE
    for answers in (".copier-answers.yml", ".copier-answers.pipelines.yml"):
        assert "_commit: v0.2.0" in (repo / answers).read_text(), answers
    assert git(repo, "ls-files", "-u") == ""
