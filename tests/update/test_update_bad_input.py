"""Bad input: a clear one-line error, exit 2, and the repository byte-for-byte unchanged."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from update_helpers import CliResult, commit_all, copy_repo, generate, git, snapshot


@pytest.fixture(scope="module")
def generated(template_v1_v2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(template_v1_v2, tmp_path_factory.mktemp("gen") / "proj")


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    return copy_repo(generated, tmp_path / "proj")


def _refused(cli: Callable[..., CliResult], repo: Path, *args: str, expect: str) -> CliResult:
    before = snapshot(repo)
    result = cli("update", repo, *args)
    assert result.code == 2, result
    assert snapshot(repo) == before
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    assert expect in result.err, result.err
    return result


def test_not_a_git_repository(project: Path, cli: Callable[..., CliResult]) -> None:
    shutil.rmtree(project / ".git")
    before = sorted(p.name for p in project.iterdir())
    result = cli("update", project)
    assert result.code == 2
    assert "not a git repository" in result.err
    assert sorted(p.name for p in project.iterdir()) == before


def test_missing_directory(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("update", tmp_path / "nope")
    assert result.code == 2
    assert "no such directory" in result.err


def test_dirty_tracked_file(project: Path, cli: Callable[..., CliResult]) -> None:
    (project / "config.toml").write_text("changed\n")
    _refused(cli, project, "--defaults", expect="uncommitted changes (1 file(s): config.toml)")


def test_dirty_untracked_file_only(project: Path, cli: Callable[..., CliResult]) -> None:
    (project / "scratch.txt").write_text("wip\n")
    _refused(cli, project, "--defaults", expect="uncommitted changes")


def test_no_answers_file(project: Path, cli: Callable[..., CliResult]) -> None:
    git(project, "rm", "--quiet", ".copier-answers.yml")
    commit_all(project, "drop answers")
    _refused(cli, project, expect="no .copier-answers.yml")


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("_src_path: [unclosed\n", "corrupt answers file"),
        ("- just\n- a list\n", "corrupt answers file (expected a mapping"),
        ("_src_path: /somewhere\nproject_name: demo\n", "no _commit"),
        ("_commit: v1.0.0\n", "no _src_path"),
        ("_commit: v1.0.0-3-gdeadbee\n_src_path: /x\n", "not a release version"),
    ],
)
def test_corrupt_answers_file(
    project: Path, cli: Callable[..., CliResult], content: str, expect: str
) -> None:
    (project / ".copier-answers.yml").write_text(content)
    commit_all(project, "break answers")
    _refused(cli, project, expect=expect)


def test_unknown_version(project: Path, cli: Callable[..., CliResult]) -> None:
    _refused(cli, project, "--to", "v9.9.9", expect="unknown template version 'v9.9.9'")


def test_downgrade(project: Path, cli: Callable[..., CliResult]) -> None:
    first = cli("update", project, "--to", "v2.0.0", "--defaults")
    assert first.code == 0, first.err
    commit_all(project, "update")
    _refused(cli, project, "--to", "1.0.0", expect="downgrade")


def test_unreachable_source(project: Path, cli: Callable[..., CliResult], tmp_path: Path) -> None:
    _refused(cli, project, "--template-url", str(tmp_path / "gone"), expect="cannot reach template")


def test_template_moved_away(project: Path, cli: Callable[..., CliResult], tmp_path: Path) -> None:
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_src_path: ", "_src_path: /nonexistent"))
    commit_all(project, "point elsewhere")
    _refused(cli, project, expect="cannot reach template")


def test_unknown_data_key(project: Path, cli: Callable[..., CliResult]) -> None:
    _refused(
        cli,
        project,
        "--to",
        "v2.0.0",
        "--data",
        "licence=MIT",
        expect="unknown question(s): licence",
    )


def test_unresolved_conflicts_block_the_next_update(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    (project / "README.md").write_text("# demo\n\nreadme line 1\nreadme line 2\nteam 3\n")
    commit_all(project, "team")
    assert cli("update", project, "--to", "v2.0.0", "--defaults").code == 1
    _refused(cli, project, "--to", "v2.0.0", expect="unresolved conflicts in README.md")


def test_bad_options(project: Path, cli: Callable[..., CliResult]) -> None:
    _refused(cli, project, "--conflict", "theirs", expect="--conflict must be inline or rej")
    _refused(cli, project, "--data", "novalue", expect="--data expects KEY=VALUE")


def test_fleet_reports_each_repository(
    project: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# fleet\n{plain}\n\n")
    result = cli(
        "update",
        project,
        "--from-file",
        listing,
        "--to",
        "v2.0.0",
        "--defaults",
        "--format",
        "json",
    )
    assert result.code == 2  # the worst outcome wins: one repository was bad input
    payload = json.loads(result.out)
    assert [p["status"] for p in payload] == ["updated", "error"]
    assert "not a git repository" in payload[1]["message"]
    assert "_commit: v2.0.0" in (project / ".copier-answers.yml").read_text()


def test_new_question_without_a_terminal(project: Path, cli: Callable[..., CliResult]) -> None:
    """v2 asks `license`; with no terminal and no --defaults nothing may change."""
    _refused(
        cli,
        project,
        "--to",
        "v2.0.0",
        expect="v2.0.0 asks new question(s) license and there is no terminal",
    )


def test_detached_head_is_refused_with_the_way_back(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    git(project, "checkout", "--quiet", "--detach", "HEAD")
    result = _refused(cli, project, "--to", "v2.0.0", "--defaults", expect="HEAD is detached")
    assert "git switch -" in result.err and "git switch -c" in result.err


def test_symlink_loop_as_path(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = cli("update", tmp_path / "a")
    assert result.code == 2
    assert "symbolic link loop" in result.err and "no such" not in result.err


def test_from_file_is_bounded(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("update", "--from-file", "/dev/zero")
    assert result.code == 2
    assert "--from-file /dev/zero: not a regular file (a character device)" in result.err


def test_missing_template_url_is_named_plainly(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    result = _refused(cli, project, "--template-url", "/nonexistent", expect="/nonexistent")
    assert "no such file or directory" in result.err
    assert "github.com" not in result.err


def test_pretend_exits_as_the_real_run_would(project: Path, cli: Callable[..., CliResult]) -> None:
    (project / "README.md").write_text("# demo\n\nreadme line 1\nreadme line 2\nteam 3\n")
    commit_all(project, "team")
    before = snapshot(project)
    pretended = cli("update", project, "--to", "v2.0.0", "--defaults", "--pretend")
    assert snapshot(project) == before
    real = cli("update", project, "--to", "v2.0.0", "--defaults")
    assert real.code == 1
    assert pretended.code == real.code
    assert "CONFLICTS (1): README.md" in pretended.out
