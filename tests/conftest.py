"""Shared fixtures: run the real CLI, render real repositories, find the real tools."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_runner import InProcessCli, in_process_cli  # noqa: E402
from genrepo import GeneratedRepos  # noqa: E402

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for CLI subprocesses: no user Copier settings, a known git identity."""
    home = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "COPIER_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        COPIER_SETTINGS_PATH=str(home / "copier-settings.yml"),
        GIT_AUTHOR_NAME="Test Team",
        GIT_AUTHOR_EMAIL="team@example.com",
        GIT_COMMITTER_NAME="Test Team",
        GIT_COMMITTER_EMAIL="team@example.com",
        NO_COLOR="1",
        COLUMNS="200",
    )
    # uv's cache stays shared so generated repos install quickly
    env.setdefault("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    return env


@pytest.fixture(scope="session")
def run_cli(cli_env: dict[str, str]) -> RunCli:
    """Run ``genaiops`` as a user would: a subprocess, its exit code, stdout and stderr."""

    def run(
        *args: str | os.PathLike[str],
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "generator", *map(str, args)],
            cwd=cwd,
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    return run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> InProcessCli:
    """Run the real CLI in-process: ``code, out, err = cli("new", dest, ...)``."""
    return in_process_cli(capsys)


@pytest.fixture(scope="session")
def generated(
    tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]
) -> Iterator[GeneratedRepos]:
    """Render repositories once per answer set for the whole session (treat them read-only)."""
    repos = GeneratedRepos(tmp_path_factory.mktemp("generated"), cli_env)
    yield repos


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """A writable copy of a session-cached generated repo, for tests that change it."""

    def copy(repo: Path) -> Path:
        target = tmp_path / repo.name
        shutil.copytree(repo, target, symlinks=True)
        return target

    return copy


@pytest.fixture(scope="session")
def checkov_bin() -> str:
    """checkov lives in its own environment (it conflicts with our dependencies).

    ``GENAIOPS_CHECKOV`` names a binary; otherwise ``.venv-checkov`` is created from the
    locked ``checkov`` dependency group the first time a test needs it.
    """
    configured = os.environ.get("GENAIOPS_CHECKOV")
    if configured:
        if not Path(configured).is_file():
            pytest.fail(f"GENAIOPS_CHECKOV={configured} does not exist")
        return configured
    env_dir = REPO_ROOT / ".venv-checkov"
    binary = env_dir / "bin" / "checkov"
    with (REPO_ROOT / ".venv-checkov.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.is_file():
            uv = shutil.which("uv")
            command = [uv] if uv else [sys.executable, "-m", "uv"]
            proc = subprocess.run(
                [*command, "sync", "--frozen", "--only-group", "checkov", "--no-install-project"],
                cwd=REPO_ROOT,
                env={
                    **os.environ,
                    "UV_PROJECT_ENVIRONMENT": str(env_dir),
                    "UV_COMPILE_BYTECODE": "1",
                },
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                pytest.fail(f"cannot create {env_dir}: {proc.stderr[-2000:]}")
    return str(binary)


def default_answers() -> dict[str, Any]:
    return {}
