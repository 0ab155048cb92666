"""Build the template-only git bundle: one commit per template version, nothing else.

Copier can only update a project when it can check out both the version the project was made
from and the target version. The bundle carries every release of the template (the repository's
``v*`` tags) plus the working tree as the current version, so an installed genaiops updates
projects offline. It holds only ``copier.yml``, ``use_cases.yml``, ``template/``,
``workflows/`` and ``iac/`` (symlinks dereferenced), one linear commit per version, with a fixed
author and dates, so the same content always gives the same commits.

This module is loaded by the hatch build hook before genaiops is installed: standard library
and ``packaging`` only, no other genaiops import; so it keeps its own git runner, the one
exception to ``generator/git.py`` running every git call.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

TEMPLATE_PARTS = ("copier.yml", "use_cases.yml", "template", "workflows", "pipelines", "iac")
FORMAT = "2"  # bump when the bundle layout changes, so cached bundles are rebuilt
_SKIP_NAMES = {"__pycache__", ".DS_Store", ".git"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_EPOCH = "946684800 +0000"  # 2000-01-01: the date of the working-tree version's commit
_IDENTITY = ("genaiops release", "release@genaiops.invalid")


class BundleError(Exception):
    """The bundle could not be built (git missing, broken tag, unwritable output)."""


@dataclass(frozen=True)
class VersionSource:
    """One template version: a tag name and where its files come from (a commit or a dir)."""

    tag: str
    commit: str | None = None
    directory: Path | None = None
    date: str = _EPOCH


@dataclass(frozen=True)
class Manifest:
    """What a bundle holds; written beside it as JSON so reading it needs no git call."""

    current: str
    versions: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps({"current": self.current, "versions": list(self.versions)}, indent=1)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(current=str(data["current"]), versions=tuple(data["versions"]))


def parse_tag(tag: str) -> Version | None:
    """``v1.2.0`` -> Version('1.2.0'); anything that is not PEP 440 -> None."""
    try:
        return Version(tag[1:] if tag[:1] in ("v", "V") else tag)
    except InvalidVersion:
        return None


def manifest_path(bundle: Path) -> Path:
    return bundle.with_suffix(".json")


def _git(args: Sequence[str], cwd: Path, *, env: dict[str, str] | None = None) -> bytes:
    proc = _run_git(args, cwd, env)
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        last = detail[-1] if detail else proc.returncode
        raise BundleError(f"git {' '.join(args[:2])} failed: {last}")
    return proc.stdout


def _run_git(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=False)


def _hermetic_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """No user or system config (signing, hooks, autocrlf) may leak into the bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_AUTHOR_NAME=_IDENTITY[0],
        GIT_AUTHOR_EMAIL=_IDENTITY[1],
        GIT_COMMITTER_NAME=_IDENTITY[0],
        GIT_COMMITTER_EMAIL=_IDENTITY[1],
    )
    env.update(extra or {})
    return env


def is_git_checkout(root: Path) -> bool:
    return (root / ".git").exists() and shutil.which("git") is not None


def release_tags(root: Path) -> list[VersionSource]:
    """Every ``v*`` tag of the repository that parses as PEP 440 and has a ``copier.yml``."""
    out = _git(
        [
            "for-each-ref",
            "--format=%(refname:strip=2)%09%(objectname)%09%(*objectname)%09%(creatordate:raw)",
            "refs/tags/v*",
        ],
        root,
    ).decode()
    found: list[VersionSource] = []
    for line in out.splitlines():
        tag, obj, peeled, date = [*line.split("\t"), "", "", ""][:4]
        if parse_tag(tag) is None:
            continue
        commit = peeled or obj
        if _run_git(["cat-file", "-e", f"{commit}:copier.yml"], root).returncode == 0:
            found.append(VersionSource(tag=tag, commit=commit, date=date or _EPOCH))
    return found


def _skip(name: str) -> bool:
    return name in _SKIP_NAMES or name.endswith(_SKIP_SUFFIXES)


def iter_tree_files(root: Path, parts: Iterable[str] = TEMPLATE_PARTS) -> list[Path]:
    """The template files of a directory, symlinks followed, caches and bytecode left out."""
    files: list[Path] = []
    for part in parts:
        top = root / part
        if top.is_file():
            files.append(top)
            continue
        if not top.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if not _skip(d))
            files.extend(Path(dirpath) / f for f in sorted(filenames) if not _skip(f))
    return files


def tree_digest(root: Path, extra: str = "") -> str:
    """Content hash of the template parts of ``root`` (paths, modes and bytes) plus ``extra``."""
    digest = hashlib.sha256(f"{FORMAT}\0{extra}\0".encode())
    for path in iter_tree_files(root):
        rel = path.relative_to(root).as_posix()
        executable = os.access(path, os.X_OK)
        digest.update(f"{rel}\0{int(executable)}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _copy_tree(src_root: Path, dest: Path) -> None:
    for path in iter_tree_files(src_root):
        target = dest / path.relative_to(src_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)  # follows symlinks: the bundle never holds one


def _export_commit(root: Path, commit: str, dest: Path) -> None:
    """``git archive`` the template parts of ``commit`` into ``dest``, dereferencing symlinks."""
    names = _git(["ls-tree", "--name-only", commit], root).decode().splitlines()
    parts = [p for p in TEMPLATE_PARTS if p in names]
    raw = dest.with_name(dest.name + ".raw")
    raw.mkdir(parents=True)
    archive = _git(["archive", "--format=tar", commit, "--", *parts], root)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(raw, filter="tar")
    _copy_tree(raw, dest)
    shutil.rmtree(raw)


def _commit_version(repo: Path, work: Path, version: VersionSource, parent: str | None) -> str:
    env = _hermetic_env(
        {
            "GIT_DIR": str(repo),
            "GIT_WORK_TREE": str(work),
            "GIT_INDEX_FILE": str(repo / "index"),
            "GIT_AUTHOR_DATE": version.date,
            "GIT_COMMITTER_DATE": version.date,
        }
    )
    _git(["read-tree", "--empty"], work, env=env)
    _git(["add", "--all", "--force", "."], work, env=env)
    tree = _git(["write-tree"], work, env=env).decode().strip()
    args = ["commit-tree", tree, "-m", f"genaiops template {version.tag}"]
    if parent:
        args += ["-p", parent]
    commit = _git(args, work, env=env).decode().strip()
    _git(["update-ref", f"refs/tags/{version.tag}", commit], work, env=env)
    return commit


def build_bundle(versions: Sequence[VersionSource], out: Path, *, source_root: Path) -> Manifest:
    """Write ``out`` (and its JSON manifest) holding ``versions`` as one linear history.

    The last version in PEP 440 order is the current one; ``main`` points at it.
    """
    if not versions:
        raise BundleError("no template version to bundle")
    ordered = sorted(versions, key=lambda v: parse_tag(v.tag) or Version("0"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="genaiops-bundle-") as scratch_name:
        scratch = Path(scratch_name)
        repo = scratch / "repo.git"
        _git(["init", "--quiet", "--bare", str(repo)], scratch, env=_hermetic_env())
        parent: str | None = None
        for index, version in enumerate(ordered):
            work = scratch / f"v{index}"
            work.mkdir()
            if version.directory is not None:
                _copy_tree(version.directory, work)
            elif version.commit is not None:
                _export_commit(source_root, version.commit, work)
            parent = _commit_version(repo, work, version, parent)
            shutil.rmtree(work)
        env = _hermetic_env({"GIT_DIR": str(repo)})
        _git(["update-ref", "refs/heads/main", parent or ""], scratch, env=env)
        _git(["symbolic-ref", "HEAD", "refs/heads/main"], scratch, env=env)
        partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        _git(["bundle", "create", "--quiet", str(partial), "--all"], scratch, env=env)
        manifest = Manifest(current=ordered[-1].tag, versions=tuple(v.tag for v in ordered))
        manifest_tmp = partial.with_suffix(".json.tmp")
        manifest_tmp.write_text(manifest.to_json(), encoding="utf-8")
        manifest_tmp.replace(manifest_path(out))
        partial.replace(out)
    return manifest


def plan_versions(root: Path, current_version: str) -> list[VersionSource]:
    """Release tags of ``root`` plus its working tree as ``v<current_version>``.

    If a release tag of the same name already exists with other content (work continued after
    the release), the working tree becomes ``v<version>+dev.<hash>``: released projects keep
    their exact base, and the newer content still sorts after the release.
    """
    tags = release_tags(root) if is_git_checkout(root) else []
    current_tag = f"v{current_version}"
    same = [t for t in tags if t.tag == current_tag]
    if same:
        released_digest = _commit_digest(root, same[0])
        work_digest = tree_digest(root)
        if released_digest == work_digest:
            return tags
        current_tag = f"{current_tag}+dev.{work_digest[:10]}"
    return [*tags, VersionSource(tag=current_tag, directory=root)]


def _commit_digest(root: Path, version: VersionSource) -> str:
    assert version.commit is not None
    with tempfile.TemporaryDirectory(prefix="genaiops-tag-") as tmp:
        dest = Path(tmp) / "tree"
        dest.mkdir()
        _export_commit(root, version.commit, dest)
        return tree_digest(dest)


def build_from_checkout(root: Path, current_version: str, out: Path) -> Manifest:
    """The build hook's entry: every release of ``root`` plus its working tree."""
    return build_bundle(plan_versions(root, current_version), out, source_root=root)
