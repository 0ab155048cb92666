"""Shared helpers for the assess tests: fixture repos and an in-process CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from assess_builder import build

from generator.assess.evaluate import DimensionResult, Report
from generator.assess.run import assess_repo


def dim(report: Report, dim_id: str) -> DimensionResult:
    return next(d for d in report.dimensions if d.dimension.id == dim_id)


def probe_status(report: Report, probe_id: str) -> str:
    for d in report.dimensions:
        for r in d.probes:
            if r.definition.id == probe_id:
                return r.status
    raise KeyError(probe_id)


@pytest.fixture
def full_repo(tmp_path: Path) -> Path:
    """A repository with evidence up to Optimized in every dimension."""
    return build(tmp_path / "repo")


@pytest.fixture
def assess() -> Callable[[Path], Report]:
    return assess_repo
