"""Every git call genaiops makes itself (Copier runs its own)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from generator.errors import GenaiopsError

FALLBACK_IDENTITY = ("genaiops", "genaiops@localhost")


def git(args: Sequence[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git with prompts disabled; a failure becomes a one-line error."""
    if shutil.which("git") is None:
        raise GenaiopsError("git is not installed or not on PATH", exit_code=1)
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise GenaiopsError(
            f"git {args[0]} failed in {cwd}: {detail[-1] if detail else proc.returncode}",
            exit_code=1,
        )
    return proc


def has_identity(cwd: Path) -> bool:
    name = git(["config", "user.name"], cwd, check=False).stdout.strip()
    email = git(["config", "user.email"], cwd, check=False).stdout.strip()
    return bool(name and email)


def init_and_commit(path: Path, message: str) -> str:
    """``git init`` + first commit of everything; returns the commit hash.

    A machine without a git identity still gets a commit, authored by a neutral fallback.
    """
    git(["init", "--quiet", "--initial-branch=main"], path)
    git(["add", "--all"], path)
    identity: list[str] = []
    if not has_identity(path):
        identity = [
            "-c",
            f"user.name={FALLBACK_IDENTITY[0]}",
            "-c",
            f"user.email={FALLBACK_IDENTITY[1]}",
        ]
    git([*identity, "commit", "--quiet", "--no-verify", "-m", message], path)
    return git(["rev-parse", "HEAD"], path).stdout.strip()


def enclosing_work_tree(path: Path) -> Path | None:
    """The top of the git work tree ``path`` lies in, or None (a monorepo keeps one repository)."""
    proc = git(["rev-parse", "--show-toplevel"], path, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        return None
    return Path(proc.stdout.strip())
