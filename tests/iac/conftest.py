"""Fixtures of tests/iac: the answer matrix rendered once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from genrepo import GeneratedRepos
from iac_matrix import MATRIX


@pytest.fixture(scope="session")
def iac_repos(generated: GeneratedRepos) -> dict[str, Path]:
    """name -> generated repository (read-only, shared session cache), one per entry of MATRIX."""
    return {name: generated(answers, git=False) for name, answers in MATRIX.items()}
