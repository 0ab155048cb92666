"""The git calls of ``update`` and ``add``: state of the work tree, merges, undo.

Runs git in the user's repository with the user's configuration (it is their repository),
but never with prompts, hooks or pagers.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GenaiopsError

# who commits on a machine without a git identity (a fresh CI runner, a container)
FALLBACK_IDENTITY = ("genaiops", "genaiops@localhost")


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    data: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    try:
        proc = subprocess.run(
            ["git", "-c", f"core.hooksPath={os.devnull}", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GenaiopsError("git is not installed or not on PATH", exit_code=1) from None
    if check and proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GenaiopsError(
            f"git {args[0]} failed in {cwd}: {detail[-1] if detail else proc.returncode}",
            exit_code=1,
        )
    return proc


def text(args: Sequence[str], cwd: Path) -> str:
    return run(args, cwd).stdout.decode(errors="surrogateescape")


def toplevel(path: Path) -> Path | None:
    proc = run(["rev-parse", "--show-toplevel"], path, check=False)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip())


def head(path: Path) -> str | None:
    proc = run(["rev-parse", "--verify", "--quiet", "HEAD"], path, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


@dataclass
class Status:
    """``git status`` of a subproject, paths relative to the subproject root."""

    modified: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unmerged: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.modified or self.added or self.deleted or self.unmerged)

    def all(self) -> list[str]:
        return sorted({*self.modified, *self.added, *self.deleted, *self.unmerged})


def status(project: Path) -> Status:
    """Changes against HEAD (staged or not) and untracked files, inside ``project`` only."""
    raw = run(
        ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", "."],
        project,
    ).stdout.decode(errors="surrogateescape")
    top = toplevel(project) or project
    prefix = project.resolve().relative_to(top.resolve()).as_posix()
    result = Status()
    for entry in raw.split("\0"):
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if prefix not in ("", "."):
            path = path.removeprefix(prefix + "/")
        if code in ("DD", "AU", "UD", "UA", "DU", "AA", "UU"):
            result.unmerged.append(path)
        elif code == "??" or code[0] == "A":
            result.added.append(path)
        elif "D" in code:
            result.deleted.append(path)
        else:
            result.modified.append(path)
    for bucket in (result.modified, result.added, result.deleted, result.unmerged):
        bucket.sort()
    return result


def show(project: Path, rev: str, path: str) -> bytes | None:
    """Content of ``path`` (subproject-relative) at ``rev``, or None if it is not there."""
    proc = run(["show", f"{rev}:./{path}"], project, check=False)
    return proc.stdout if proc.returncode == 0 else None


def hash_object(project: Path, content: bytes) -> str:
    return run(["hash-object", "-w", "--stdin"], project, data=content).stdout.decode().strip()


def mark_unmerged(project: Path, path: str, stages: dict[int, bytes], mode: str = "100644") -> None:
    """Record ``path`` as unmerged (stages 1 base, 2 ours, 3 theirs), like a real merge.

    ``git status`` then shows it as both modified and ``git commit`` refuses until the
    markers are resolved and the file is added again.
    """
    top = toplevel(project) or project
    rel = (project.resolve() / path).relative_to(top.resolve()).as_posix()
    lines = [f"0 {'0' * 40}\t{rel}"]
    for stage in sorted(stages):
        sha = hash_object(project, stages[stage])
        lines.append(f"{mode} {sha} {stage}\t{rel}")
    run(["update-index", "--index-info"], top, data=("\n".join(lines) + "\n").encode())


def restore(project: Path, orig_head: str) -> None:
    """Put the subproject back exactly as it was at ``orig_head`` (the tree was clean then)."""
    run(["reset", "--quiet", "--hard", orig_head], project, check=False)
    run(["clean", "-fdq", "--", "."], project, check=False)


def init_and_commit(path: Path, message: str) -> str:
    """``git init`` on branch main and a first commit of everything; returns the commit hash."""
    run(["init", "--quiet", "--initial-branch=main"], path)
    return commit_all(path, message)


def commit_all(project: Path, message: str) -> str:
    """A commit of everything in the subproject (the first commit of ``new``; the temporary
    commits between layered updates)."""
    run(["add", "--all", "--", "."], project)
    identity: list[str] = []
    has_name = run(["config", "user.name"], project, check=False).stdout.strip()
    has_email = run(["config", "user.email"], project, check=False).stdout.strip()
    if not (has_name and has_email):
        identity = [
            "-c",
            f"user.name={FALLBACK_IDENTITY[0]}",
            "-c",
            f"user.email={FALLBACK_IDENTITY[1]}",
        ]
    run(
        [
            *identity,
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "--allow-empty",
            "-m",
            message,
        ],
        project,
    )
    return text(["rev-parse", "HEAD"], project).strip()
