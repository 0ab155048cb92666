"""Hostile input never crashes or hangs the assessment: it becomes notes and findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from assess_builder import build, write
from cli_runner import InProcessCli
from conftest import probe_status

from generator.assess.evaluate import Report
from generator.assess.run import assess_repo


def _kinds(report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in report.notes:
        out.setdefault(n.kind, []).append(n.path)
    return out


def test_symlink_loops_and_links_outside_are_skipped(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "src" / "self").symlink_to("../src", target_is_directory=True)
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "broken").symlink_to(root / "missing")
    (root / "src/app/alias.py").symlink_to(root / "src/app/api.py")
    report = assess_repo(root)
    assert report.overall.level == 4
    kinds = _kinds(report)
    assert "passwd" in kinds["symlink"] and "broken" in kinds["symlink"]


def test_fifo_is_never_opened(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    os.mkfifo(root / "data/eval/stream.jsonl")
    os.mkfifo(root / "prompts/pipe.yaml")
    report = assess_repo(root)  # would block forever if the FIFO were read
    assert report.overall.level == 4


def test_huge_file_is_skipped_with_a_note(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    big = root / "data/eval/huge.jsonl"
    with big.open("wb") as fh:  # sparse: 300 MB on paper, nothing on disk
        fh.truncate(300 * 1024 * 1024)
    report = assess_repo(root)
    assert "data/eval/huge.jsonl" in _kinds(report)["skipped-large"]
    assert report.overall.level == 4
    assert report.seconds < 30


def test_binary_files_are_skipped(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / "prompts/blob.yaml").write_bytes(b"\x00\x01\x02" * 1000)
    (root / "src/app/native.py").write_bytes(b"\x7fELF\x00\x00" + os.urandom(2000))
    report = assess_repo(root)
    assert {"prompts/blob.yaml", "src/app/native.py"} <= set(_kinds(report)["binary"])


def test_invalid_yaml_and_json_become_findings(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(
        root,
        ".github/workflows/broken.yml",
        "on: [push]\njobs:\n  x:\n    steps: [\n  - run: make eval\n",
    )
    write(root, "data/eval/bad.jsonl", '{"question": "a"\nnot json\n')
    write(root, ".github/dependabot.yml", "updates: [\n")
    report = assess_repo(root)
    kinds = _kinds(report)
    assert ".github/workflows/broken.yml" in kinds["invalid-yaml"]
    assert "data/eval/bad.jsonl" in kinds["invalid-json"]
    note = next(n for n in report.notes if n.path == ".github/workflows/broken.yml")
    assert note.line is not None
    assert probe_status(report, "eng.dependency_updates") == "fail"


def test_unreadable_file_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build(tmp_path / "r")
    real_open = os.open

    def guarded(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("thresholds.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded)
    report = assess_repo(root)
    assert "evals/thresholds.yaml" in _kinds(report)["unreadable"]
    assert probe_status(report, "eval.threshold") == "fail"


def test_yaml_alias_bomb_and_deep_nesting(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    bomb = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "metrics: *i\n"
    )
    write(root, "evals/thresholds.yaml", bomb)
    write(root, "evals/deep_threshold.json", "[" * 5000 + "]" * 5000)
    report = assess_repo(root)
    assert report.seconds < 30
    assert probe_status(report, "eval.threshold") == "fail"


def test_unlistable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build(tmp_path / "r")
    real = os.scandir

    def guarded(path: object) -> object:
        if str(path).endswith("/infra"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", guarded)
    report = assess_repo(root)
    assert "infra" in _kinds(report)["unreadable"]
    assert report.overall.level == 0 or report.overall.level < 4


@pytest.mark.parametrize("make_path", ["missing", "file"])
def test_bad_path_exits_2(tmp_path: Path, cli: InProcessCli, make_path: str) -> None:
    target = tmp_path / "target"
    if make_path == "file":
        target.write_text("x")
    code, out, err = cli("assess", str(target))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "error:" in err


def test_gitignore_fifo_is_never_opened(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / ".gitignore").unlink()
    os.mkfifo(root / ".gitignore")
    report = assess_repo(root)  # would block forever if the FIFO were opened for reading
    assert ".gitignore" in _kinds(report)["special-file"]


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd"])
def test_gitignore_symlink_outside_is_never_read(tmp_path: Path, target: str) -> None:
    root = build(tmp_path / "r")
    (root / ".gitignore").unlink()
    (root / ".gitignore").symlink_to(target)
    report = assess_repo(root)  # /dev/zero would read until memory runs out
    kinds = _kinds(report)
    assert ".gitignore" in kinds["special-file"]
    assert probe_status(report, "safety.env_ignored") == "fail"


def test_git_metadata_special_or_outside_files_are_never_read(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / ".git/refs/heads").mkdir(parents=True)
    os.mkfifo(root / ".git/HEAD")
    assert assess_repo(root).commit is None  # a FIFO HEAD would block
    (root / ".git/HEAD").unlink()
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (root / ".git/refs/heads/main").symlink_to("/etc/hostname")
    assert assess_repo(root).commit is None
    (root / ".git/HEAD").write_text("ref: ../../../../etc/passwd\n")
    assert assess_repo(root).commit is None


def test_file_swapped_for_an_outside_symlink_after_the_walk_is_not_read(tmp_path: Path) -> None:
    from generator.assess.collect import Repo

    root = build(tmp_path / "r")
    outside = tmp_path / "outside.py"
    outside.write_text("SECRET_OUTSIDE = 1\n")
    repo = Repo.scan(root)
    target = root / "src/app/api.py"
    target.unlink()
    target.symlink_to(outside)
    assert repo.text("src/app/api.py") is None
