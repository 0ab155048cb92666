"""A real v1 -> v2 update: template versions in a git repository with tags, a project
generated with v1, team edits committed, then the update to v2.

v2 changes files the team also edits (one clean merge, one conflict), adds a file, renames a
file (with a migration that carries the team's edits over), deletes a file the team edited,
and adds a question.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from update_helpers import CliResult, commit_all, copy_repo, generate, git, snapshot

from generator.update.engine import UpdateOptions, update_repository
from generator.update.migrations import rename

TEAM_EDITS = {
    "README.md": [
        ("readme line 3", "readme line 3 (team)"),
        ("readme line 7", "readme line 7 (team)"),
    ],
    "config.toml": [("config line 8", "config line 8 = team")],
    "old_name.txt": [("guide line 9", "guide line 9 (team)")],
    "obsolete.txt": [("obsolete line 4", "obsolete line 4 (team)")],
}


@pytest.fixture(scope="module")
def generated(template_v1_v2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made with v1 and edited by the team (one commit), kept pristine."""
    project = generate(template_v1_v2, tmp_path_factory.mktemp("gen") / "proj")
    for rel, edits in TEAM_EDITS.items():
        path = project / rel
        text = path.read_text()
        for old, new in edits:
            text = text.replace(old + "\n", new + "\n")
        path.write_text(text)
    commit_all(project, "team edits")
    return project


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    return copy_repo(generated, tmp_path / "proj")


def test_v1_to_v2_keeps_every_team_edit(project: Path) -> None:
    [result] = update_repository(
        project,
        UpdateOptions(to="v2.0.0", defaults=True),
        migrations=[rename("2.0.0", "old_name.txt", "new_name.txt")],
    )

    # the summary, exactly
    assert result.lines() == [
        f"{project} (.copier-answers.yml): went from v1.0.0 to v2.0.0",
        "  updated (1): config.toml",
        "  added (1): LICENSE",
        "  removed (1): obsolete.txt",
        "  renamed (1): old_name.txt -> new_name.txt",
        "  new question license: MIT",
        "  note: migration 2.0.0: old_name.txt renamed to new_name.txt",
        "  warning: obsolete.txt was deleted by the template update although your team "
        "changed it; recover it with `git checkout HEAD -- obsolete.txt`",
        "  CONFLICTS (1): README.md",
        "  resolve the <<<<<<< before updating / >>>>>>> after updating markers, `git add` "
        "the files, then commit (to abort: git reset --hard && git clean -fd)",
    ]
    assert result.conflicts == ["README.md"]

    # template changes applied
    config = (project / "config.toml").read_text()
    assert "config line 2 = v2\n" in config
    assert (project / "LICENSE").read_text() == "License: MIT\n"
    assert not (project / "old_name.txt").exists()
    assert not (project / "obsolete.txt").exists()
    guide = (project / "new_name.txt").read_text()
    assert guide.startswith("guide line 1 (v2 title)\n")

    # every team edit is present, or inside a conflict marker
    readme = (project / "README.md").read_text()
    assert "readme line 7 (team)\n" in readme  # clean merge beside a template change
    assert "readme line 11 (v2)\n" in readme
    assert (
        "<<<<<<< before updating\nreadme line 3 (team)\n=======\n"
        "readme line 3 (template v2)\n>>>>>>> after updating\n"
    ) in readme
    assert "config line 8 = team\n" in config
    assert "guide line 9 (team)\n" in guide  # carried over by the rename migration

    # the new question is answered and recorded with the new version
    answers = (project / ".copier-answers.yml").read_text()
    assert "_commit: v2.0.0\n" in answers
    assert "license: MIT\n" in answers

    # git sees the conflict, so nothing can be committed by accident
    assert git(project, "ls-files", "-u", "--", "README.md").count("README.md") == 3
    assert git(project, "diff", "--name-only", "--diff-filter=U").split() == ["README.md"]


def test_cli_without_migration_warns_and_exits_1(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    """Without the migration Copier drops the edited old file: the user is told, loudly."""
    result = cli("update", project, "--to", "2.0.0", "--defaults")
    assert result.code == 1
    assert "CONFLICTS (1): README.md" in result.out
    assert (
        "warning: old_name.txt was deleted by the template update although your team" in result.out
    )
    assert "warning: obsolete.txt was deleted" in result.out
    assert "removed (2): obsolete.txt, old_name.txt" in result.out


def test_pretend_changes_nothing_and_reports_the_same(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    before = snapshot(project)
    result = cli("update", project, "--to", "v2.0.0", "--defaults", "--pretend")
    assert snapshot(project) == before
    assert result.code == 1  # the conflict would remain
    assert "would go from v1.0.0 to v2.0.0" in result.out
    assert "CONFLICTS (1): README.md" in result.out
    assert "added (2): LICENSE, new_name.txt" in result.out


def test_rej_mode_lists_the_rejected_hunks(project: Path, cli: Callable[..., CliResult]) -> None:
    result = cli(
        "update", project, "--to", "v2.0.0", "--defaults", "--conflict", "rej", "--format", "json"
    )
    assert result.code == 1
    import json

    [payload] = json.loads(result.out)
    # the team's hunks of the deleted files are kept in .rej files too
    assert payload["rejects"] == ["README.md.rej", "obsolete.txt.rej", "old_name.txt.rej"]
    assert "readme line 3 (team)" in (project / "README.md.rej").read_text()


def test_up_to_date_and_data_change(project: Path, cli: Callable[..., CliResult]) -> None:
    first = cli("update", project, "--to", "v2.0.0", "--defaults", "--conflict", "rej")
    assert first.code == 1
    for rej in project.glob("*.rej"):
        rej.unlink()
    commit_all(project, "resolved")
    again = cli("update", project, "--to", "v2.0.0")
    assert again.code == 0
    assert "up to date (v2.0.0)" in again.out
    changed = cli("update", project, "--data", "license=Apache-2.0")
    assert changed.code == 0, changed.err
    assert "answer changed license: Apache-2.0" in changed.out
    assert (project / "LICENSE").read_text() == "License: Apache-2.0\n"


def test_project_in_a_subdirectory_of_a_repository(
    generated: Path, tmp_path: Path, cli: Callable[..., CliResult]
) -> None:
    """A monorepo: the project is one directory of a larger repository."""
    mono = tmp_path / "mono"
    shutil.copytree(generated, mono / "services" / "chat", ignore=shutil.ignore_patterns(".git"))
    (mono / "other.txt").write_text("another team's file\n")
    git(mono, "init", "--quiet")
    commit_all(mono, "monorepo")
    project = mono / "services" / "chat"
    result = cli("update", project, "--to", "v2.0.0", "--defaults")
    assert result.code == 1
    assert "CONFLICTS (1): README.md" in result.out
    assert "updated (1): config.toml" in result.out
    assert git(mono, "diff", "--name-only", "--diff-filter=U").split() == [
        "services/chat/README.md"
    ]
    assert (mono / "other.txt").read_text() == "another team's file\n"


def test_rej_mode_keeps_the_team_file_and_sets_only_conflicts_aside(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    result = cli("update", project, "--to", "v2.0.0", "--defaults", "--conflict", "rej")
    assert result.code == 1
    readme = (project / "README.md").read_text()
    # the team's file, both team edits, the template's clean change merged, no markers
    assert "readme line 3 (team)\n" in readme and "readme line 7 (team)\n" in readme
    assert "readme line 11 (v2)\n" in readme and "<<<<<<<" not in readme
    patch = (project / "README.md.rej").read_text()
    assert "+readme line 3 (template v2)\n" in patch and "-readme line 3 (team)\n" in patch
    assert "readme line 7 (team)" not in patch  # a non-conflicting team line is not set aside
    git(project, "apply", "README.md.rej")  # the patch applies to the team's file as it is
    assert "readme line 3 (template v2)\n" in (project / "README.md").read_text()


def test_template_change_to_a_file_the_team_deleted_is_listed_with_its_diff(
    project: Path, cli: Callable[..., CliResult]
) -> None:
    git(project, "rm", "--quiet", "config.toml")
    git(project, "mv", "old_name.txt", "guide.txt")
    commit_all(project, "team removes config.toml, renames the guide")
    text = cli("update", project, "--to", "v2.0.0", "--defaults", "--pretend")
    assert "warning: the template changed config.toml, which your team deleted or renamed" in (
        text.out
    )
    assert "    +config line 2 = v2" in text.out
    result = cli("update", project, "--to", "v2.0.0", "--defaults", "--format", "json")
    import json

    [payload] = json.loads(result.out)
    missed = {entry["path"]: entry["diff"] for entry in payload["missed"]}
    assert sorted(missed) == ["config.toml"]  # old_name.txt is gone in v2 too: nothing missed
    assert "-config line 2\n+config line 2 = v2\n" in missed["config.toml"]
    assert "a/config.toml (v1.0.0)" in missed["config.toml"]
    assert not (project / "config.toml").exists()  # still deleted, as the team wants
