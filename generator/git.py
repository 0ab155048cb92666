"""Every git call genaiops makes (as pre-commit's ``git.py`` and Copier's ``_vcs.py``).

Runs git with the user's configuration where it works in the user's repository, but never
with prompts, hooks or pagers. Copier runs its own git through plumbum: ``NO_PROMPT`` is what
genaiops puts in that environment too. The one other place that starts git is
``generator/bundle.py``, which the build hook loads before genaiops is installed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.errors import GenaiopsError

# git must never wait for a password on a terminal nobody watches
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0"}
# who commits on a machine without a git identity (a fresh CI runner, a container)
FALLBACK_IDENTITY = ("genaiops", "genaiops@localhost")


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    data: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` in ``cwd``; with ``check``, a failure is a one-line error (exit 1)."""
    full_env = {**os.environ, **(env or {}), **NO_PROMPT, "GIT_PAGER": "cat"}
    try:
        proc = subprocess.run(
            ["git", "-c", f"core.hooksPath={os.devnull}", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env=full_env,
            check=False,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise GenaiopsError("git is not installed or not on PATH", exit_code=1) from None
    except subprocess.TimeoutExpired:
        raise GenaiopsError(f"git {args[0]} timed out after {timeout:.0f} s", exit_code=1) from None
    if check and proc.returncode != 0:
        raise GenaiopsError(f"git {args[0]} failed in {cwd}: {reason(proc)}", exit_code=1)
    return proc


def reason(proc: subprocess.CompletedProcess[bytes]) -> str:
    """The line of git's stderr that says what went wrong (its first ``fatal:``/``error:``)."""
    lines = [ln.strip() for ln in proc.stderr.decode(errors="replace").splitlines() if ln.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[-1] if lines else f"exit code {proc.returncode}"


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


def branch(path: Path) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    proc = run(["symbolic-ref", "--quiet", "--short", "HEAD"], path, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def default_branch(path: Path) -> str | None:
    """The branch the repository's remote calls its default, else a main-line branch checked
    out here (main, master, trunk, develop), else None."""
    proc = run(
        ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], path, check=False
    )
    if proc.returncode == 0:
        return proc.stdout.decode().strip().split("/", 1)[-1] or None
    current = branch(path)
    return current if current in ("main", "master", "trunk", "develop") else None


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
    prefix = _prefix(project)
    result = Status()
    for entry in raw.split("\0"):
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if prefix:
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


def tracked(project: Path, rev: str = "HEAD") -> list[str]:
    """Files of the subproject at ``rev``, relative to the subproject root."""
    raw = run(["ls-tree", "-r", "-z", "--name-only", rev, "--", "."], project).stdout
    prefix = _prefix(project)
    names = raw.decode(errors="surrogateescape").split("\0")
    return sorted(n.removeprefix(prefix + "/") if prefix else n for n in names if n)


def _prefix(project: Path) -> str:
    top = toplevel(project) or project
    rel = project.resolve().relative_to(top.resolve()).as_posix()
    return "" if rel in ("", ".") else rel


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


def reset(project: Path, rev: str, *, keep_index: bool) -> None:
    """Move HEAD back to ``rev`` keeping the work tree (and the index with ``keep_index``)."""
    run(["reset", "--quiet", "--soft" if keep_index else "--mixed", rev], project)


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


def shared_clone(top: Path, dest: Path) -> None:
    """A throw-away clone that borrows the repository's objects (for ``--pretend``)."""
    run(["clone", "--quiet", "--shared", str(top), str(dest)], dest.parent)


def merge_file(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    labels: Sequence[str],
    favor: Literal["ours", "theirs"] | None = None,
) -> tuple[bytes, int]:
    """``git merge-file -p``: the merged bytes and the number of conflicts.

    With ``favor`` a conflicting hunk takes that side instead of getting markers.
    """
    with tempfile.TemporaryDirectory(prefix="genaiops-merge-") as tmp:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(content)
            paths.append(str(path))
        label_args = [arg for label in labels for arg in ("-L", label)]
        favor_args = [f"--{favor}"] if favor else []
        proc = run(["merge-file", "-p", *favor_args, *label_args, *paths], Path(tmp), check=False)
    if proc.returncode < 0 or proc.returncode > 127:
        raise GenaiopsError(f"git merge-file failed: {reason(proc)}", exit_code=1)
    return proc.stdout, proc.returncode


def remote_tags(
    url: str, env: Mapping[str, str], *, shown: str | None = None, timeout: float = 120
) -> list[str]:
    """Tag names of a template source (repository, bundle or URL), via ``git ls-remote``.

    ``url`` is what git is asked for; ``env`` may redirect it (``insteadOf``) to ``shown``,
    the place errors name.
    """
    proc = run(
        ["ls-remote", "--tags", "--refs", "--", url],
        Path(tempfile.gettempdir()),
        check=False,
        env=env,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise GenaiopsError(f"cannot reach template {shown or url}: {reason(proc)}")
    tags = []
    for line in proc.stdout.decode(errors="replace").splitlines():
        _, _, ref = line.partition("\t")
        if ref.startswith("refs/tags/"):
            tags.append(ref.removeprefix("refs/tags/"))
    return tags


def tag_objects(root: Path) -> str:
    """``refname objectname`` of every ``v*`` tag of ``root`` ("" outside a git checkout)."""
    if not (root / ".git").exists():
        return ""
    proc = run(
        ["for-each-ref", "--format=%(refname) %(objectname)", "refs/tags/v*"], root, check=False
    )
    return proc.stdout.decode(errors="replace") if proc.returncode == 0 else ""


def file_at_tag(url: str, tag: str, names: Sequence[str], env: Mapping[str, str]) -> bytes | None:
    """The first of ``names`` that exists at ``tag`` of ``url``, fetched into a scratch repo."""
    with tempfile.TemporaryDirectory(prefix="genaiops-target-") as tmp:
        scratch = Path(tmp)
        ref = f"refs/tags/{tag}"
        run(["init", "--quiet", "--bare", "repo.git"], scratch)
        fetched = run(
            ["--git-dir=repo.git", "fetch", "--quiet", "--no-tags", url, f"+{ref}:{ref}"],
            scratch,
            check=False,
            env=env,
        )
        if fetched.returncode != 0:
            raise GenaiopsError(f"cannot read {tag} of {url}: {reason(fetched)}")
        for name in names:
            shown = run(["--git-dir=repo.git", "show", f"{ref}:{name}"], scratch, check=False)
            if shown.returncode == 0:
                return shown.stdout
    return None
