"""Fixtures for update/add tests: hermetic git and the CLI run in-process."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import update_templates as T
from update_helpers import make_template


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
    for key, previous in saved.items():
        if previous is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = previous


@pytest.fixture(scope="session")
def template_v1_v2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-version template of ``update_templates``, tagged v1.0.0 and v2.0.0."""
    return make_template(
        tmp_path_factory.mktemp("tpl") / "tpl", [("v1.0.0", T.V1), ("v2.0.0", T.V2)]
    )
