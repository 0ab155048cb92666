"""Fixtures of tests/iac: the answer matrix rendered once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iac_matrix import MATRIX, render  # noqa: E402


@pytest.fixture(scope="session")
def iac_repos(tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]) -> dict[str, Path]:
    """name -> generated repository (read-only), one per entry of MATRIX."""
    root = tmp_path_factory.mktemp("iac-repos")
    return {name: render(root, name, cli_env) for name in MATRIX}
