"""Walk a repository once and serve its files to the probes, never crashing on hostile input.

Only regular files inside the repository are read. Directory symlinks are not followed (no
loops), file symlinks only when they resolve inside the repository, FIFOs and devices are never
opened, large or binary files are skipped with a note, and parse errors become notes (shown as
findings), not exceptions.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.assess.secrets import redact

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".terraform",
        ".idea",
        "site-packages",
        ".eggs",
        ".tools",
        ".cache",
        "htmlcov",
        "dist",
        "build",
        ".direnv",
        ".gradle",
    }
)
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_DATASET_BYTES = 64 * 1024 * 1024
CODE_BUDGET_FILES = 3000
CODE_EXTS = (".py",)


@dataclass(frozen=True)
class Note:
    """Something the assessment could not read or parse; reported, never raised."""

    kind: str
    path: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    snippet: str


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append(r"(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(r".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^/]")
            i += 1
        elif pattern[i] == "{":
            end = pattern.index("}", i)
            out.append(
                "(?:" + "|".join(re.escape(x) for x in pattern[i + 1 : end].split(",")) + ")"
            )
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


MAX_META_BYTES = 256 * 1024  # .gitignore, .git/HEAD, refs: small files read outside the index


def read_inside(root: Path, rel: str, limit: int = MAX_META_BYTES) -> str | None:
    """A small file below ``root`` read safely: regular files only (no FIFO, device or socket
    is ever opened), symlinks only when they resolve inside ``root``, at most ``limit`` bytes."""
    path = os.path.join(root, rel)  # noqa: PTH118
    try:
        real = os.path.realpath(path)
        top = os.path.realpath(root)
        if not (real == top or real.startswith(top + os.sep)):
            return None
        if not stat.S_ISREG(os.stat(real).st_mode):  # noqa: PTH116
            return None
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            data = fh.read(limit)
    except (OSError, RuntimeError, ValueError):
        return None
    return data.decode("utf-8", errors="replace")


def _needles(pattern: str) -> list[str]:
    """Literal runs (3+ characters) of a glob's segments outside braces and classes."""
    out: list[str] = []
    for seg in pattern.split("/"):
        bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "*", seg)  # alternatives are not literal
        out.extend(part for part in re.split(r"[*?]+", bare) if len(part) >= 3)
    return out


def line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def snippet_at(text: str, pos: int) -> str:
    """The line holding ``pos``, stripped, cut, and with credentials redacted."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start : end if end != -1 else len(text)].strip()
    return redact(line)[:160]


@dataclass
class Repo:
    """The file index of one repository plus cached, fail-safe readers."""

    root: Path
    sizes: dict[str, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    _texts: dict[str, str | None] = field(default_factory=dict)
    _globs: dict[str, list[str]] = field(default_factory=dict)
    _parsed: dict[tuple[str, str], Any] = field(default_factory=dict)
    _noted: set[tuple[str, str]] = field(default_factory=set)
    _links: set[str] = field(default_factory=set)  # indexed paths that are symlinks (inside)
    _names: dict[str, list[str]] = field(default_factory=dict)  # basename -> paths (walk-built)

    # ----- walking -------------------------------------------------------------------------
    @classmethod
    def scan(cls, root: Path) -> Repo:
        repo = cls(root=root)
        repo._walk()
        return repo

    def _ignored_dirs(self) -> set[str]:
        """Plain directory entries of the root .gitignore (``name/`` or ``/name/``)."""
        text = read_inside(self.root, ".gitignore")
        if text is None:
            if os.path.lexists(os.path.join(self.root, ".gitignore")):  # noqa: PTH118
                self.note("special-file", ".gitignore", "not a regular file inside the repository")
            return set()
        out = set()
        for raw in text.splitlines()[:2000]:
            line = raw.strip()
            if (
                line.endswith("/")
                and not line.startswith(("#", "!"))
                and not any(c in line for c in "*?[\\")
            ):
                out.add(line.strip("/"))
        return out

    def _walk(self) -> None:
        root = str(self.root)
        ignored = self._ignored_dirs()
        stack = [(root, "")]
        sizes = self.sizes
        by_name = self._names
        names_get = by_name.get
        while stack:
            path, rel = stack.pop()
            try:
                it = os.scandir(path)
            except OSError as exc:
                self.note("unreadable", rel or ".", f"cannot list directory: {exc.strerror}")
                continue
            with it:
                for entry in it:
                    name = entry.name
                    child = f"{rel}/{name}" if rel else name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if name in SKIP_DIRS or child in ignored or name in ignored:
                                continue
                            stack.append((entry.path, child))
                        elif entry.is_file(follow_symlinks=False):
                            sizes[child] = -1  # stat on demand: most files are never read
                            same = names_get(name)
                            if same is None:
                                by_name[name] = [child]
                            else:
                                same.append(child)
                        elif entry.is_symlink():
                            self._symlink(entry.path, child)
                    except OSError as exc:
                        self.note("unreadable", child, f"cannot stat: {exc.strerror}")

    def _symlink(self, path: str, rel: str) -> None:
        """Index a symlinked regular file inside the repo; never follow directory links."""
        try:
            real = os.path.realpath(path)
            st = os.stat(real)  # noqa: PTH116 (str paths: this runs per file)
        except (OSError, RuntimeError):
            self.note("symlink", rel, "broken or looping symlink skipped")
            return
        root = os.path.realpath(self.root)
        if not (real == root or real.startswith(root + os.sep)):
            self.note("symlink", rel, "symlink pointing outside the repository skipped")
        elif stat.S_ISREG(st.st_mode):
            self.sizes[rel] = st.st_size
            self._links.add(rel)
            self._names.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        # symlinked directories are not followed: that is what makes loops harmless

    # ----- notes ---------------------------------------------------------------------------
    def note(self, kind: str, path: str, message: str, line: int | None = None) -> None:
        key = (kind, path)
        if key not in self._noted:
            self._noted.add(key)
            self.notes.append(Note(kind, path, message, line))

    # ----- lookup --------------------------------------------------------------------------
    def exists(self, rel: str) -> bool:
        return rel in self.sizes

    def size(self, rel: str) -> int:
        """Size in bytes (stat on first use; -1 when the file vanished)."""
        size = self.sizes.get(rel, -1)
        if size < 0 and rel in self.sizes:
            try:
                size = os.stat(os.path.join(self.root, rel)).st_size  # noqa: PTH116, PTH118
            except OSError:
                size = -1
            self.sizes[rel] = size
        return size

    def glob(self, pattern: str) -> list[str]:
        """Paths matching a glob (``*`` within a segment, ``**/`` any depth, ``{a,b}``)."""
        cached = self._globs.get(pattern)
        if cached is None:
            rx = _glob_regex(pattern)
            tail = pattern.rsplit("/", 1)[-1]
            candidates: Any = self.sizes
            ext = tail.rsplit(".", 1)[1] if "." in tail else "*"
            names = tail[1:-1].split(",") if tail.startswith("{") and tail.endswith("}") else None
            if not any(c in tail for c in "*?[{}"):
                candidates = self._by_name.get(tail, ())
            elif names and not any(c in n for n in names for c in "*?{["):
                candidates = [p for n in names for p in self._by_name.get(n, ())]
            elif (
                ext.startswith("{") and ext.endswith("}") and not any(c in ext[1:-1] for c in "*?{")
            ):
                by_ext = self._by_ext
                candidates = [p for e in ext[1:-1].split(",") for p in by_ext.get("." + e, ())]
            elif not any(c in ext for c in "*?{}"):
                candidates = self._by_ext.get("." + ext, ())
            literal = []
            for seg in pattern.split("/")[:-1]:
                if any(c in seg for c in "*?{["):
                    break
                literal.append(seg)
            if literal:
                below = self.under("/".join(literal))
                if len(below) < len(candidates):
                    candidates = below
            # literal text anywhere in the pattern (`**/prompts/**`, `**/*eval*/**`) must be in
            # the path: a substring test per file is far cheaper than the regex
            for needle in _needles(pattern):
                candidates = [p for p in candidates if needle in p]
            cached = sorted(p for p in candidates if rx.match(p))
            self._globs[pattern] = cached
        return cached

    @cached_property
    def _by_ext(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, paths in self._by_name.items():
            dot = name.rfind(".")
            if dot >= 0:
                out.setdefault(name[dot:], []).extend(paths)
        return out

    @property
    def _by_name(self) -> dict[str, list[str]]:
        if not self._names and self.sizes:  # built by hand (tests): index on first use
            for rel in self.sizes:
                self._names.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return self._names

    @cached_property
    def _sorted(self) -> list[str]:
        return sorted(self.sizes)

    def under(self, prefix: str) -> list[str]:
        """Files below a folder, in path order (bisect on the sorted index)."""
        import bisect

        prefix = prefix.rstrip("/") + "/"
        paths = self._sorted
        start = bisect.bisect_left(paths, prefix)
        end = bisect.bisect_left(paths, prefix[:-1] + "0")  # "0" sorts right after "/"
        return paths[start:end]

    # ----- reading -------------------------------------------------------------------------
    def text(self, rel: str, limit: int = MAX_TEXT_BYTES) -> str | None:
        """File content as text, or None (missing, too large, binary, unreadable: noted)."""
        if rel in self._texts:
            return self._texts[rel]
        result: str | None = None
        size = self.size(rel) if rel in self.sizes else None
        if size is not None and size >= 0:
            if size > limit:
                self.note(
                    "skipped-large",
                    rel,
                    f"skipped: {size / 1048576:.1f} MiB is over the "
                    f"{limit / 1048576:.0f} MiB limit for this kind of file",
                )
            else:
                result = self._read(rel, limit)
        self._texts[rel] = result
        return result

    def _read(self, rel: str, limit: int) -> str | None:
        try:
            path = os.path.join(self.root, rel)  # noqa: PTH118 (hot path)
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
            if rel in self._links:  # checked at walk time; checked again now, as it is read
                top = os.path.realpath(self.root)
                if not os.path.realpath(path).startswith(top + os.sep):
                    self.note("symlink", rel, "symlink pointing outside the repository skipped")
                    return None
            else:  # a regular file at walk time: never follow a link swapped in since
                flags |= getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(path, flags)
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    self.note("special-file", rel, "not a regular file: skipped")
                    return None
                data = fh.read(limit + 1)  # the file may have grown since it was sized
        except OSError as exc:
            self.note("unreadable", rel, f"cannot read: {exc.strerror or exc}")
            return None
        if b"\0" in data[:8192]:
            self.note("binary", rel, "binary file skipped")
            return None
        return data.decode("utf-8", errors="replace")

    def lines(self, rel: str, limit: int = MAX_DATASET_BYTES) -> Iterator[str]:
        """Stream a large text file (datasets) line by line; same safety rules as ``text``."""
        text = self.text(rel, limit=limit)
        if text is not None:
            yield from text.splitlines()

    def yaml(self, rel: str, *, lines: bool = False) -> Any:
        """Parsed YAML (first document) or None; ``lines=True`` keeps line numbers (round-trip)."""
        key = ("yaml-rt" if lines else "yaml", rel)
        if key in self._parsed:
            return self._parsed[key]
        text = self.text(rel)
        data = None
        if text is not None:
            data = parse_yaml(
                text,
                rt=lines,
                on_error=lambda m, ln: self.note("invalid-yaml", rel, f"invalid YAML: {m}", ln),
            )
        self._parsed[key] = data
        return data

    def json(self, rel: str) -> Any:
        key = ("json", rel)
        if key in self._parsed:
            return self._parsed[key]
        text = self.text(rel)
        data = None
        if text is not None:
            try:
                data = json.loads(text)
            except ValueError as exc:
                line = getattr(exc, "lineno", None)
                self.note("invalid-json", rel, f"invalid JSON: {str(exc).split(':')[0]}", line)
        self._parsed[key] = data
        return data

    def toml(self, rel: str) -> Any:
        key = ("toml", rel)
        if key in self._parsed:
            return self._parsed[key]
        import tomllib

        text = self.text(rel)
        data = None
        if text is not None:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                self.note("invalid-toml", rel, f"invalid TOML: {exc}")
        self._parsed[key] = data
        return data

    def config(self, rel: str) -> Any:
        """YAML, JSON or TOML by extension."""
        if rel.endswith(".json"):
            return self.json(rel)
        if rel.endswith(".toml"):
            return self.toml(rel)
        return self.yaml(rel)

    # ----- code corpus ---------------------------------------------------------------------
    @cached_property
    def code_files(self) -> list[str]:
        """Source files the probes search: shallow paths first, at most CODE_BUDGET_FILES."""
        files = [p for p in self.sizes if p.endswith(CODE_EXTS)]
        if len(files) > CODE_BUDGET_FILES:
            files.sort(key=lambda p: (p.count("/"), p))
            self.note(
                "truncated",
                ".",
                f"code search limited to the {CODE_BUDGET_FILES} shallowest of "
                f"{len(files)} source files",
            )
            return files[:CODE_BUDGET_FILES]
        return sorted(files, key=lambda p: (p.count("/"), p))

    def hits(self, pattern: re.Pattern[str], paths: list[str]) -> Iterator[Hit]:
        """Every hit of ``pattern`` in ``paths``, lazily: files are read only as far as the
        caller consumes (``next(h for h in repo.hits(rx, files) if accept(h))``)."""
        for rel in paths:
            text = self.text(rel)
            if not text:
                continue
            for m in pattern.finditer(text):
                yield Hit(rel, line_of(text, m.start()), snippet_at(text, m.start()))

    def grep(
        self,
        pattern: str | re.Pattern[str],
        paths: list[str] | None = None,
        first_only: bool = False,
        max_hits: int | None = None,
    ) -> list[Hit]:
        """Regex hits (path, line, snippet) over ``paths`` (default: the code corpus).

        ``first_only`` keeps one hit per file; ``max_hits`` stops reading files once reached.
        """
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        hits: list[Hit] = []
        for rel in self.code_files if paths is None else paths:
            text = self.text(rel)
            if not text:
                continue
            for m in rx.finditer(text):
                hits.append(Hit(rel, line_of(text, m.start()), snippet_at(text, m.start())))
                if first_only:
                    break
            if max_hits is not None and len(hits) >= max_hits:
                return hits[:max_hits]
        return hits

    @cached_property
    def commit(self) -> str | None:
        """HEAD commit read from .git without running git (None when not a git checkout)."""
        head = (read_inside(self.root, ".git/HEAD", 4096) or "").strip()
        if not head:
            return None
        if not head.startswith("ref:"):
            return head[:40] if re.fullmatch(r"[0-9a-f]{40}", head[:40]) else None
        ref = head[4:].strip()
        if not re.fullmatch(r"refs/[\w./-]+", ref) or ".." in ref:
            return None
        direct = (read_inside(self.root, f".git/{ref}", 4096) or "").strip()[:40]
        if direct:
            return direct
        for line in (
            read_inside(self.root, ".git/packed-refs", 8 * 1024 * 1024) or ""
        ).splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
        return None


def parse_yaml(text: str, *, rt: bool, on_error: Any) -> Any:
    """Parse YAML safely (no arbitrary tags); report errors through ``on_error(msg, line)``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from generator import safe_yaml

    loader = YAML(typ="rt") if rt else safe_yaml.loader()
    try:
        docs = list(loader.load_all(text))
        return docs[0] if docs else None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        on_error(str(exc.problem or exc.context or "parse error"), mark.line + 1 if mark else None)
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        on_error(type(exc).__name__, None)
    return None
