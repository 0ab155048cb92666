"""Fixtures for `genaiops add` on repositories of real shapes: hermetic git, the shapes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from shapes import SHAPES


@pytest.fixture(scope="session", autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No user git settings (signing, hooks, identity); a known branch name; our own caches."""
    base = tmp_path_factory.mktemp("git-home")
    config = base / "gitconfig"
    config.write_text(
        "[user]\n\tname = Test Team\n\temail = team@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        encoding="utf-8",
    )
    env = {
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GENAIOPS_CACHE_DIR": str(base / "cache"),
        "COPIER_SETTINGS_PATH": str(base / "copier-settings.yml"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    if "plumbum" in sys.modules:
        from plumbum import local

        for key, value in env.items():
            local.env[key] = value
    yield
    for key, previous in saved.items():
        if previous is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = previous


@pytest.fixture
def shape(tmp_path: Path) -> Callable[[str], Path]:
    """``shape("monorepo")``: a fresh repository of that shape under tmp_path."""

    def make(name: str) -> Path:
        return SHAPES[name](tmp_path / name)

    return make
