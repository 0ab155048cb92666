"""Fixtures for update/add tests: hermetic git, template repositories with tags, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def _hermetic_env(base: Path) -> dict[str, str]:
    gitconfig = base / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test Team\n\temail = team@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
        "[advice]\n\tdetachedHead = false\n",
        encoding="utf-8",
    )
    return {
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GENAIOPS_CACHE_DIR": str(base / "cache"),
        "COPIER_SETTINGS_PATH": str(base / "copier-settings.yml"),
    }


@pytest.fixture(scope="session", autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mapping[str, str]]:
    """User settings (signing, identity, default branch) must not leak into the tests.

    Copier runs git through plumbum, which copies the environment when it is imported, so
    the variables go to plumbum's environment as well when it is already loaded.
    """
    env = _hermetic_env(tmp_path_factory.mktemp("git-home"))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    if "plumbum" in sys.modules:
        from plumbum import local

        for key, value in env.items():
            local.env[key] = value
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write_files(root: Path, files: Mapping[str, str | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def make_template(root: Path, versions: list[tuple[str, Mapping[str, str | None]]]) -> Path:
    """A template git repository; each version applies its file changes and is tagged."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet")
    for tag, files in versions:
        write_files(root, files)
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "--allow-empty", "-m", f"template {tag}")
        git(root, "tag", tag)
    return root


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


def snapshot(repo: Path) -> tuple[dict[str, bytes], str, str]:
    """Every file (outside .git) with its bytes, plus `git status` and HEAD."""
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    head = git(repo, "rev-parse", "HEAD") if (repo / ".git").exists() else ""
    return files, status, head


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the real CLI in-process (Copier stays imported between calls)."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
