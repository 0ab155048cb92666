"""Follow a command to what it really runs: make targets, scripts, Python modules, npm and
package scripts, to a bounded depth, keeping each hop (file:line) and whether every hop can
fail its caller. This is what turns "a workflow mentions eval" into evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.assess.makefile import Makefile, load_makefile
from generator.assess.shell import ShellState, split_script

if TYPE_CHECKING:
    from generator.assess.collect import Repo

MAX_DEPTH = 6
_PY = re.compile(r"^(?:.*/)?python(?:3(?:\.\d+)?)?$")
_RUNNERS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "hatch": "run",
    "rye": "run",
}
_VALUE_OPTS = {
    "--with",
    "--with-editable",
    "--with-requirements",
    "--extra",
    "--group",
    "--only-group",
    "--package",
    "--project",
    "--directory",
    "--python",
    "-p",
    "--env-file",
    "--index",
    "-e",
    "--env",
    "--no-group",
    "--index-url",
    "--extra-index-url",
}
_MAKE_VALUE_OPTS = {"-C", "-f", "-j", "--directory", "--file", "--jobs", "-l", "-o", "-W", "-I"}


@dataclass(frozen=True)
class Hop:
    kind: str  # step | make | script | module | package-script | action | command
    path: str
    line: int
    text: str

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.kind} `{self.text[:80]}` ({where})"


@dataclass(frozen=True)
class Leaf:
    """A command at the end of a chain, with the hops that led to it."""

    argv: tuple[str, ...]
    hops: tuple[Hop, ...]
    gate: bool
    why_not: str | None
    files: tuple[str, ...]  # repository files the chain went through (scripts, modules, makefiles)

    @property
    def text(self) -> str:
        return " ".join(self.argv)

    def names(self) -> list[str]:
        """Every command/target/module text on the chain, for pattern matching."""
        return [h.text for h in self.hops] + [self.text]

    def chain(self) -> str:
        return " → ".join(h.describe() for h in self.hops[1:]) or self.text


class Resolver:
    """Resolves commands within one repository; results cached per script."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._makefiles: dict[str, Makefile | None] = {}
        self._entry_points: dict[str, str] | None = None
        self._npm: dict[str, str] | None = None

    # ----- public --------------------------------------------------------------------------
    def resolve_script(
        self,
        script: str,
        path: str,
        line: int,
        state: ShellState,
        hops: tuple[Hop, ...] = (),
        gate: bool = True,
        why: str | None = None,
        cwd: str = "",
        depth: int = 0,
    ) -> list[Leaf]:
        leaves: list[Leaf] = []
        for cmd in split_script(script, state):
            g, w = (gate and cmd.gates), (why or cmd.why_not)
            leaves.extend(
                self._resolve_argv(
                    list(cmd.argv), path, line + cmd.line - 1, hops, g, w, cwd, depth
                )
            )
        return leaves

    def makefile(self, directory: str = "") -> Makefile | None:
        if directory not in self._makefiles:
            self._makefiles[directory] = load_makefile(self.repo, directory)
        return self._makefiles[directory]

    # ----- dispatch ------------------------------------------------------------------------
    def _resolve_argv(
        self,
        argv: list[str],
        path: str,
        line: int,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        cwd: str,
        depth: int,
    ) -> list[Leaf]:
        argv = self._unwrap(argv)
        files = tuple(h.path for h in hops if h.kind in ("script", "module", "make", "action"))
        here = Hop("command", path, line, " ".join(argv))
        if not argv:
            return []
        if depth >= MAX_DEPTH:
            return [Leaf(tuple(argv), (*hops, here), gate, why, files)]
        head = argv[0].rsplit("/", 1)[-1]
        if head in ("make", "gmake"):
            return self._make(argv, path, line, hops, gate, why, cwd, depth)
        if _PY.match(argv[0]) and len(argv) > 1:
            return self._python(argv, path, line, hops, gate, why, cwd, depth)
        if head in ("npm", "yarn", "pnpm"):
            return self._npm_run(argv, path, line, hops, gate, why, cwd, depth)
        script = self._script_path(argv, cwd)
        if script:
            return self._script(script, argv, path, line, hops, gate, why, depth)
        module = self.entry_points().get(argv[0])
        if module:
            hop = Hop("module", self.module_file(module) or "pyproject.toml", 0, module)
            return [Leaf(tuple(argv), (*hops, here, hop), gate, why, (*files, hop.path))]
        return [Leaf(tuple(argv), (*hops, here), gate, why, files)]

    @staticmethod
    def _unwrap(argv: list[str]) -> list[str]:
        """Drop wrappers: ``uv run``, ``poetry run``, ``env X=1``, ``timeout 60`` ..."""
        changed = True
        while changed and argv:
            changed = False
            head = argv[0].rsplit("/", 1)[-1]
            if head in _RUNNERS and len(argv) > 1 and argv[1] == _RUNNERS[head]:
                rest, i = argv[2:], 0
                while i < len(rest) and rest[i].startswith("-"):
                    i += 2 if rest[i] in _VALUE_OPTS else 1
                argv, changed = rest[i:], True
            elif head in ("env", "sudo", "nohup", "exec", "time", "xvfb-run"):
                rest = argv[1:]
                while rest and (rest[0].startswith("-") or "=" in rest[0]):
                    rest = rest[1:]
                argv, changed = rest, True
            elif head == "timeout" and len(argv) > 2:
                rest = argv[1:]
                while rest and rest[0].startswith("-"):
                    rest = rest[1:]
                argv, changed = rest[1:], True
            elif head in ("uvx", "pipx") and len(argv) > 1:
                argv = argv[2:] if head == "pipx" and argv[1] == "run" else argv[1:]
                changed = True
        return argv

    def _make(
        self,
        argv: list[str],
        path: str,
        line: int,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        cwd: str,
        depth: int,
    ) -> list[Leaf]:
        directory, targets, i = cwd, [], 1
        while i < len(argv):
            arg = argv[i]
            if arg in _MAKE_VALUE_OPTS or (
                arg.startswith("--") and "=" not in arg and arg[2:] in ("directory", "file")
            ):
                if arg in ("-C", "--directory") and i + 1 < len(argv):
                    directory = _join(cwd, argv[i + 1])
                i += 2
                continue
            if arg in ("-i", "--ignore-errors", "-k", "--keep-going"):
                gate, why = False, why or f"`make {arg}` ignores failing recipes"
            elif arg in ("-n", "--dry-run", "--just-print", "-q", "--question"):
                gate, why = False, why or f"`make {arg}` does not run the recipe"
            elif not arg.startswith("-") and "=" not in arg:
                targets.append(arg)
            i += 1
        mk = self.makefile(directory)
        here = Hop("command", path, line, " ".join(argv))
        if mk is None:
            return [Leaf(tuple(argv), (*hops, here), gate, why, ())]
        if not targets:
            goal = mk.variables.get(".DEFAULT_GOAL")
            targets = [goal] if goal else list(mk.targets)[:1]
        leaves: list[Leaf] = []
        for name in targets:
            leaves.extend(
                self._target(mk, name, directory, (*hops, here), gate, why, depth + 1, set())
            )
        return leaves

    def _target(
        self,
        mk: Makefile,
        name: str,
        cwd: str,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        depth: int,
        seen: set[str],
    ) -> list[Leaf]:
        tgt = mk.targets.get(name)
        if tgt is None or name in seen or depth >= MAX_DEPTH:
            return (
                [
                    Leaf(
                        ("make", name),
                        hops,
                        False,
                        why or f"make target `{name}` not found",
                        tuple(mk.files),
                    )
                ]
                if tgt is None
                else []
            )
        seen = seen | {name}
        hop = Hop("make", tgt.path, tgt.line, name)
        chain = (*hops, hop)
        leaves: list[Leaf] = []
        for pre in tgt.prereqs:
            if pre in mk.targets:
                leaves.extend(self._target(mk, pre, cwd, chain, gate, why, depth + 1, seen))
        for rec in tgt.recipe:
            g, w = gate, why
            if rec.ignore_errors or mk.ignore_all:
                g, w = (
                    False,
                    w
                    or f"the recipe line starts with `-` (errors ignored) at {rec.path}:{rec.line}",
                )
            text = mk.expand(rec.text)
            leaves.extend(
                self.resolve_script(
                    text, rec.path, rec.line, ShellState(False, False), chain, g, w, cwd, depth + 1
                )
            )
        if not tgt.recipe and not tgt.prereqs:
            leaves.append(
                Leaf(
                    ("make", name),
                    chain,
                    False,
                    why or f"make target `{name}` does nothing",
                    (tgt.path,),
                )
            )
        return leaves

    def _python(
        self,
        argv: list[str],
        path: str,
        line: int,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        cwd: str,
        depth: int,
    ) -> list[Leaf]:
        here = Hop("command", path, line, " ".join(argv))
        args = argv[1:]
        while args and args[0].startswith("-") and args[0] not in ("-m", "-c"):
            args = args[1:]
        files = tuple(h.path for h in hops if h.kind in ("script", "module", "make", "action"))
        if len(args) >= 2 and args[0] == "-m":
            module = args[1]
            if module in (
                "pytest",
                "pip",
                "mypy",
                "ruff",
                "uvicorn",
                "http.server",
                "venv",
                "build",
            ):
                return (
                    self._resolve_argv(args[1:], path, line, hops, gate, why, cwd, depth + 1)
                    if module != "uvicorn"
                    else [Leaf(tuple(argv), (*hops, here), gate, why, files)]
                )
            target = self.module_file(module)
            hop = Hop("module", target or "", 0, module)
            return [
                Leaf(
                    tuple(argv),
                    (*hops, here, hop),
                    gate,
                    why,
                    (*files, target) if target else files,
                )
            ]
        if args and args[0].endswith(".py"):
            rel = _join(cwd, args[0])
            if self.repo.exists(rel):
                hop = Hop("module", rel, 0, args[0])
                return [Leaf(tuple(argv), (*hops, here, hop), gate, why, (*files, rel))]
        return [Leaf(tuple(argv), (*hops, here), gate, why, files)]

    def _script_path(self, argv: list[str], cwd: str) -> str | None:
        head = argv[0]
        candidate = None
        if head.rsplit("/", 1)[-1] in ("bash", "sh", "zsh", "dash") and len(argv) > 1:
            rest = [a for a in argv[1:] if not a.startswith("-")]
            candidate = rest[0] if rest else None
        elif "/" in head or head.endswith(".sh"):
            candidate = head
        if candidate:
            rel = _join(cwd, candidate)
            if self.repo.exists(rel):
                return rel
        return None

    def _script(
        self,
        rel: str,
        argv: list[str],
        path: str,
        line: int,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        depth: int,
    ) -> list[Leaf]:
        here = Hop("command", path, line, " ".join(argv))
        if any(h.kind == "script" and h.path == rel for h in hops):
            return []
        text = self.repo.text(rel)
        hop = Hop("script", rel, 1, rel)
        if text is None:
            return [Leaf(tuple(argv), (*hops, here, hop), gate, why, (rel,))]
        if text.startswith("#!") and "python" in text.split("\n", 1)[0]:
            return [Leaf(tuple(argv), (*hops, here, hop), gate, why, (rel,))]
        first = text.split("\n", 1)[0]
        state = ShellState(errexit=bool(re.search(r"^#!.*\s-\w*e", first)), pipefail=False)
        return self.resolve_script(
            text,
            rel,
            1,
            state,
            (*hops, here, hop),
            gate,
            why,
            rel.rsplit("/", 1)[0] if "/" in rel else "",
            depth + 1,
        )

    def _npm_run(
        self,
        argv: list[str],
        path: str,
        line: int,
        hops: tuple[Hop, ...],
        gate: bool,
        why: str | None,
        cwd: str,
        depth: int,
    ) -> list[Leaf]:
        here = Hop("command", path, line, " ".join(argv))
        rest = [a for a in argv[1:] if not a.startswith("-")]
        name = None
        if rest and rest[0] in ("run", "run-script") and len(rest) > 1:
            name = rest[1]
        elif (rest and rest[0] in ("test", "start")) or (rest and argv[0] in ("yarn", "pnpm")):
            name = rest[0]
        scripts = self.npm_scripts()
        if name and name in scripts:
            hop = Hop("package-script", "package.json", 0, name)
            return self.resolve_script(
                scripts[name],
                "package.json",
                0,
                ShellState(False, False),
                (*hops, here, hop),
                gate,
                why,
                cwd,
                depth + 1,
            )
        return [Leaf(tuple(argv), (*hops, here), gate, why, ())]

    # ----- lookups -------------------------------------------------------------------------
    def entry_points(self) -> dict[str, str]:
        if self._entry_points is None:
            data = self.repo.toml("pyproject.toml") if self.repo.exists("pyproject.toml") else None
            scripts = {}
            if isinstance(data, dict):
                raw = (data.get("project") or {}).get("scripts") or {}
                raw2 = ((data.get("tool") or {}).get("poetry") or {}).get("scripts") or {}
                for name, target in {**raw2, **raw}.items():
                    if isinstance(target, str):
                        scripts[str(name)] = target.split(":", 1)[0].strip()
            self._entry_points = scripts
        return self._entry_points

    def npm_scripts(self) -> dict[str, str]:
        if self._npm is None:
            data = self.repo.json("package.json") if self.repo.exists("package.json") else None
            scripts = data.get("scripts") if isinstance(data, dict) else None
            self._npm = (
                {str(k): str(v) for k, v in scripts.items()} if isinstance(scripts, dict) else {}
            )
        return self._npm

    def module_file(self, module: str) -> str | None:
        """``pkg.sub`` → ``src/pkg/sub.py`` / ``pkg/sub/__main__.py`` … (None when not in repo)."""
        base = module.replace(".", "/")
        for prefix in ("", "src/", "app/", "lib/"):
            for suffix in (".py", "/__main__.py", "/__init__.py"):
                if self.repo.exists(prefix + base + suffix):
                    return prefix + base + suffix
        return None


def _join(cwd: str, rel: str) -> str:
    rel = rel.removeprefix("./")
    if rel.startswith("/"):
        return rel.lstrip("/")
    parts = [p for p in (cwd + "/" + rel if cwd else rel).split("/") if p and p != "."]
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/".join(out)
