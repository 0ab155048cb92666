"""Helpers for update/add tests: template repositories with tags, snapshots, git."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from cli_runner import CliResult

__all__ = ["CliResult", "commit_all", "copy_repo", "generate", "git", "make_template"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write_files(root: Path, files: Mapping[str, str | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def make_template(root: Path, versions: list[tuple[str, Mapping[str, str | None]]]) -> Path:
    """A template git repository; each version applies its file changes and is tagged."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet")
    for tag, files in versions:
        write_files(root, files)
        git(root, "add", "--all")
        git(root, "commit", "--quiet", "--allow-empty", "-m", f"template {tag}")
        git(root, "tag", tag)
    return root


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)


def snapshot(repo: Path) -> tuple[dict[str, bytes], str, str]:
    """Every file (outside .git) with its bytes, plus `git status` and HEAD."""
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    head = git(repo, "rev-parse", "HEAD") if (repo / ".git").exists() else ""
    return files, status, head


def generate(template: Path, dest: Path, ref: str = "v1.0.0") -> Path:
    """`genaiops new` of ``template`` at ``ref`` (a git repository with a first commit)."""
    from generator.cli import main

    try:
        main(["new", str(dest), "--template", str(template), "--vcs-ref", ref, "--defaults"])
    except SystemExit as exc:
        assert not exc.code, exc
    return dest


def copy_repo(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest
