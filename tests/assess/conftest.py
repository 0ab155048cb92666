"""Shared helpers for the assess tests: fixture repos and an in-process CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from assess_builder import build

from generator.assess.evaluate import Report
from generator.assess.run import assess_repo


@pytest.fixture
def full_repo(tmp_path: Path) -> Path:
    """A repository with evidence up to Optimized in every dimension."""
    return build(tmp_path / "repo")


@pytest.fixture
def assess() -> Callable[[Path], Report]:
    return assess_repo
