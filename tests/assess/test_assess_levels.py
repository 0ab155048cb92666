"""Each dimension reaches exactly the level its fixture evidences, 0 through 4."""

from __future__ import annotations

from pathlib import Path

import pytest
from assess_builder import DIMS, build
from conftest import dim

from generator.assess.run import assess_repo


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("dimension", DIMS)
def test_dimension_level_matches_evidence(tmp_path: Path, dimension: str, level: int) -> None:
    report = assess_repo(build(tmp_path / "r", {dimension: level}))
    got = dim(report, dimension)
    assert got.level == level, got.reason
    assert got.applicable
    if level < 4:
        assert got.next_level == level + 1
        assert got.next_needs, "a level below 4 must say what the next level needs"
        assert got.reason
    others = [d.level for d in report.dimensions if d.applicable and d.dimension.id != dimension]
    if all(lv == 4 for lv in others):
        # seven dimensions at Optimized: the overall is capped one level above this one
        assert report.overall.level == min(4, max(1, level + 1))


def test_full_repo_is_optimized_everywhere(full_repo: Path) -> None:
    report = assess_repo(full_repo)
    assert report.overall.level == 4
    assert report.overall.score == 10.0
    assert all(d.level == 4 for d in report.dimensions)
    assert report.notes == []


def test_empty_repo_scores_zero_and_data_is_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n")
    report = assess_repo(tmp_path)
    assert report.overall.level == 0
    data = dim(report, "data")
    assert not data.applicable
    assert "no retrieval" in (data.na_reason or "")
    assert all(d.level == 0 for d in report.dimensions)


def test_score_counts_progress_towards_next_level(tmp_path: Path) -> None:
    report = assess_repo(build(tmp_path / "r", {"evaluation": 2}))
    ev = dim(report, "evaluation")
    # Managed needs ci_gate, threshold, dataset_wired: the fixture has none of them
    assert ev.score == 5.0
    report = assess_repo(build(tmp_path / "r2", {"evaluation": 3}))
    assert 7.5 <= dim(report, "evaluation").score < 10


def test_overall_is_capped_one_level_above_the_weakest_dimension(tmp_path: Path) -> None:
    report = assess_repo(build(tmp_path / "r", {"monitoring": 1, "infra": 2}))
    assert report.overall.level == 2
    assert report.overall.weakest == ["monitoring"]
    assert "monitoring" in (report.overall.capped_by or "")
