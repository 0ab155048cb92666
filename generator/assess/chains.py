"""Follow a command to what it really runs: make targets, scripts, Python modules, npm and
package scripts, azd hooks, to a bounded depth, keeping each hop (file:line) and whether every
hop can fail its caller. This is what turns "a workflow mentions eval" into evidence.

The working directory is followed too (``working-directory:``, ``cd dir && ...``, ``make -C``,
``uv run --directory``, ``npm --prefix``): a command resolves against the Makefile,
package.json and pyproject.toml of the directory it runs in, so nested projects
(``src/backend/``) resolve like root ones. ``Resolver.resolve_command`` is the public entry for
any command string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    cwd: str = ""  # the folder the command runs in, relative to the repository root

    @property
    def text(self) -> str:
        return " ".join(self.argv)

    def names(self) -> list[str]:
        """Every command/target/module text on the chain, for pattern matching."""
        return [h.text for h in self.hops] + [self.text]

    def chain(self) -> str:
        return " → ".join(h.describe() for h in self.hops[1:]) or self.text


@dataclass(frozen=True)
class Ctx:
    """Where a command runs and what led to it: one value handed down every hop."""

    path: str  # file holding the command
    line: int
    hops: tuple[Hop, ...] = ()
    gate: bool = True  # every hop so far can fail its caller
    why: str | None = None  # why not, when it cannot
    cwd: str = ""  # working directory, relative to the repository root
    depth: int = 0
    written: str | None = None  # the command as written, before wrappers were dropped

    def at(self, path: str, line: int) -> Ctx:
        return replace(self, path=path, line=line)

    def via(self, *hops: Hop, cwd: str | None = None) -> Ctx:
        """One level deeper, through ``hops``."""
        return replace(
            self,
            hops=(*self.hops, *hops),
            depth=self.depth + 1,
            cwd=self.cwd if cwd is None else cwd,
            written=None,
        )

    def here(self, argv: list[str] | tuple[str, ...]) -> Hop:
        """The hop for the command at this place, as written there."""
        return Hop("command", self.path, self.line, self.written or " ".join(argv))

    def cannot_fail(self, why: str) -> Ctx:
        return replace(self, gate=False, why=self.why or why)

    def files(self) -> tuple[str, ...]:
        return tuple(h.path for h in self.hops if h.kind in _FILE_HOPS and h.path)

    def leaf(
        self, argv: list[str] | tuple[str, ...], *extra: Hop, files: tuple[str, ...] = ()
    ) -> Leaf:
        here = self.here(argv)
        return Leaf(
            tuple(argv),
            (*self.hops, here, *extra),
            self.gate,
            self.why,
            (*self.files(), *files),
            self.cwd,
        )


_FILE_HOPS = ("script", "module", "make", "action", "package-script", "azd")
_AZD_PHASES = {
    "up": ("package", "provision", "deploy"),
    "provision": ("provision",),
    "deploy": ("package", "deploy"),
    "package": ("package",),
}


class Resolver:
    """Resolves commands within one repository; results cached per directory."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._makefiles: dict[str, Makefile | None] = {}
        self._entry_points: dict[str, dict[str, str]] = {}
        self._npm: dict[str, dict[str, str]] = {}

    # ----- public --------------------------------------------------------------------------
    def resolve_command(self, command: str, cwd: str = "", *, shell: str = "bash") -> list[Leaf]:
        """What a ``run:`` command string resolves to, run from ``cwd`` under GitHub's
        ``bash -e`` (``shell="sh"`` for a plain script without ``-e``). Each leaf says what
        it reaches (``files``, ``hops``) and whether its failure fails the command (``gate``).
        """
        state = ShellState(errexit=shell != "sh", pipefail=False)
        return self.resolve(command, Ctx("<command>", 1, cwd=cwd.strip("/")), state)

    def resolve(self, script: str, ctx: Ctx, state: ShellState) -> list[Leaf]:
        """Every simple command of ``script`` followed to its leaves; ``cd`` is followed."""
        leaves: list[Leaf] = []
        cwd, stack = ctx.cwd, []
        for cmd in split_script(script, state):
            argv = list(cmd.argv)
            if argv and argv[0] in ("cd", "pushd") and len(argv) > 1:
                if argv[1].startswith(("$", "~", "-")):
                    continue  # not known before run time
                stack.append(cwd)
                cwd = _join(cwd, argv[1])
                continue
            if argv and argv[0] == "popd":
                cwd = stack.pop() if stack else ctx.cwd
                continue
            sub = replace(ctx, line=ctx.line + cmd.line - 1, cwd=cwd)
            if not cmd.gates:
                sub = sub.cannot_fail(cmd.why_not or "its failure is ignored")
            leaves.extend(self._resolve_argv(argv, sub))
        return leaves

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
        """``resolve`` with the context spelled out (kept for callers outside this module)."""
        return self.resolve(script, Ctx(path, line, hops, gate, why, cwd, depth), state)

    def makefile(self, directory: str = "") -> Makefile | None:
        if directory not in self._makefiles:
            self._makefiles[directory] = load_makefile(self.repo, directory)
        return self._makefiles[directory]

    # ----- dispatch ------------------------------------------------------------------------
    def _resolve_argv(self, argv: list[str], ctx: Ctx) -> list[Leaf]:
        written = " ".join(argv)
        argv, cwd = self._unwrap(argv, ctx.cwd)
        ctx = replace(ctx, cwd=cwd, written=ctx.written or written)
        if not argv:
            return []
        if ctx.depth >= MAX_DEPTH:
            return [ctx.leaf(argv)]
        head = argv[0].rsplit("/", 1)[-1]
        if head in ("make", "gmake"):
            return self._make(argv, ctx)
        if _PY.match(argv[0]) and len(argv) > 1:
            return self._python(argv, ctx)
        if head in ("npm", "yarn", "pnpm"):
            return self._npm_run(argv, ctx)
        if head == "azd":
            return self._azd(argv, ctx)
        script = self._script_path(argv, ctx.cwd)
        if script:
            return self._script(script, argv, ctx)
        module = self.entry_points(ctx.cwd).get(argv[0])
        if module:
            target = self.module_file(module, ctx.cwd)
            hop = Hop("module", target or "pyproject.toml", 0, module)
            return [ctx.leaf(argv, hop, files=(hop.path,))]
        return [ctx.leaf(argv)]

    @staticmethod
    def _unwrap(argv: list[str], cwd: str) -> tuple[list[str], str]:
        """Drop wrappers (``uv run``, ``poetry run``, ``env X=1``, ``timeout 60`` ...), keeping
        the directory they switch to (``uv run --directory``, ``poetry -C``)."""
        changed = True
        while changed and argv:
            changed = False
            head = argv[0].rsplit("/", 1)[-1]
            if head == "poetry" and len(argv) > 3 and argv[1] in ("-C", "--directory"):
                cwd, argv, changed = _join(cwd, argv[2]), [argv[0], *argv[3:]], True
                continue
            if head in _RUNNERS and len(argv) > 1 and argv[1] == _RUNNERS[head]:
                rest, i = argv[2:], 0
                while i < len(rest) and rest[i].startswith("-"):
                    opt = rest[i].split("=", 1)
                    if opt[0] in ("--directory", "--project"):
                        value = (
                            opt[1] if len(opt) > 1 else (rest[i + 1] if i + 1 < len(rest) else "")
                        )
                        cwd = _join(cwd, value) if value else cwd
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
        return argv, cwd

    def _make(self, argv: list[str], ctx: Ctx) -> list[Leaf]:
        directory, targets, i = ctx.cwd, [], 1
        while i < len(argv):
            arg = argv[i]
            if arg in _MAKE_VALUE_OPTS or (
                arg.startswith("--") and "=" not in arg and arg[2:] in ("directory", "file")
            ):
                if arg in ("-C", "--directory") and i + 1 < len(argv):
                    directory = _join(ctx.cwd, argv[i + 1])
                i += 2
                continue
            if arg.startswith("--directory="):
                directory = _join(ctx.cwd, arg.split("=", 1)[1])
            elif arg in ("-i", "--ignore-errors", "-k", "--keep-going"):
                ctx = ctx.cannot_fail(f"`make {arg}` ignores failing recipes")
            elif arg in ("-n", "--dry-run", "--just-print", "-q", "--question"):
                ctx = ctx.cannot_fail(f"`make {arg}` does not run the recipe")
            elif not arg.startswith("-") and "=" not in arg:
                targets.append(arg)
            i += 1
        mk = self.makefile(directory)
        if mk is None:
            return [ctx.leaf(argv)]
        if not targets:
            goal = mk.variables.get(".DEFAULT_GOAL")
            targets = [goal] if goal else list(mk.targets)[:1]
        here = ctx.here(argv)
        inner = replace(ctx.via(here), cwd=directory)
        leaves: list[Leaf] = []
        for name in targets:
            leaves.extend(self._target(mk, name, inner, set()))
        return leaves

    def _target(self, mk: Makefile, name: str, ctx: Ctx, seen: set[str]) -> list[Leaf]:
        tgt = mk.targets.get(name)
        if tgt is None:
            why = ctx.why or f"make target `{name}` not found"
            return [Leaf(("make", name), ctx.hops, False, why, tuple(mk.files))]
        if name in seen or ctx.depth >= MAX_DEPTH:
            return []
        seen = seen | {name}
        hop = Hop("make", tgt.path, tgt.line, name)
        inner = ctx.via(hop)
        leaves: list[Leaf] = []
        for pre in tgt.prereqs:
            if pre in mk.targets:
                leaves.extend(self._target(mk, pre, inner, seen))
        for rec in tgt.recipe:
            sub = inner.at(rec.path, rec.line)
            if rec.ignore_errors or mk.ignore_all:
                sub = sub.cannot_fail(
                    f"the recipe line starts with `-` (errors ignored) at {rec.path}:{rec.line}"
                )
            leaves.extend(self.resolve(mk.expand(rec.text), sub, ShellState(False, False)))
        if not tgt.recipe and not tgt.prereqs:
            why = ctx.why or f"make target `{name}` does nothing"
            leaves.append(Leaf(("make", name), inner.hops, False, why, (tgt.path,)))
        return leaves

    def _python(self, argv: list[str], ctx: Ctx) -> list[Leaf]:
        args = argv[1:]
        while args and args[0].startswith("-") and args[0] not in ("-m", "-c"):
            args = args[1:]
        if len(args) >= 2 and args[0] == "-m":
            module = args[1]
            if module in ("pytest", "pip", "mypy", "ruff", "http.server", "venv", "build"):
                return self._resolve_argv(args[1:], replace(ctx, depth=ctx.depth + 1))
            if module == "uvicorn":
                return [ctx.leaf(argv)]
            target = self.module_file(module, ctx.cwd)
            hop = Hop("module", target or "", 0, module)
            return [ctx.leaf(argv, hop, files=(target,) if target else ())]
        if args and args[0].endswith(".py"):
            rel = _join(ctx.cwd, args[0])
            if self.repo.exists(rel):
                return [ctx.leaf(argv, Hop("module", rel, 0, args[0]), files=(rel,))]
        return [ctx.leaf(argv)]

    def _script_path(self, argv: list[str], cwd: str) -> str | None:
        head = argv[0]
        candidate = None
        if head.rsplit("/", 1)[-1] in ("bash", "sh", "zsh", "dash", "pwsh") and len(argv) > 1:
            rest = [a for a in argv[1:] if not a.startswith("-")]
            candidate = rest[0] if rest else None
        elif "/" in head or head.endswith((".sh", ".ps1")):
            candidate = head
        if candidate:
            rel = _join(cwd, candidate)
            if self.repo.exists(rel):
                return rel
        return None

    def _script(self, rel: str, argv: list[str], ctx: Ctx) -> list[Leaf]:
        if any(h.kind == "script" and h.path == rel for h in ctx.hops):
            return []
        text = self.repo.text(rel)
        hop = Hop("script", rel, 1, rel)
        if text is None or (text.startswith("#!") and "python" in text.split("\n", 1)[0]):
            return [ctx.leaf(argv, hop, files=(rel,))]
        first = text.split("\n", 1)[0]
        state = ShellState(errexit=bool(re.search(r"^#!.*\s-\w*e", first)), pipefail=False)
        here = ctx.here(argv)
        inner = ctx.via(here, hop, cwd=rel.rsplit("/", 1)[0] if "/" in rel else "").at(rel, 1)
        return self.resolve(text, inner, state)

    def _npm_run(self, argv: list[str], ctx: Ctx) -> list[Leaf]:
        cwd = ctx.cwd
        for i, arg in enumerate(argv[:-1]):
            if arg in ("--prefix", "-C", "--dir", "--cwd"):
                cwd = _join(ctx.cwd, argv[i + 1])
        rest = [a for a in argv[1:] if not a.startswith("-") and _join(ctx.cwd, a) != cwd]
        name = None
        if rest and rest[0] in ("run", "run-script") and len(rest) > 1:
            name = rest[1]
        elif (rest and rest[0] in ("test", "start")) or (rest and argv[0] in ("yarn", "pnpm")):
            name = rest[0]
        scripts = self.npm_scripts(cwd)
        if name and name in scripts:
            manifest = f"{cwd}/package.json" if cwd else "package.json"
            here = ctx.here(argv)
            hop = Hop("package-script", manifest, 0, name)
            inner = ctx.via(here, hop, cwd=cwd).at(manifest, 0)
            return self.resolve(scripts[name], inner, ShellState(False, False))
        return [ctx.leaf(argv)]

    def _azd(self, argv: list[str], ctx: Ctx) -> list[Leaf]:
        """``azd up|provision|deploy``: the command itself, then the hooks azure.yaml runs."""
        leaves = [ctx.leaf(argv)]
        verb = next((a for a in argv[1:] if not a.startswith("-")), "")
        phases = _AZD_PHASES.get(verb)
        manifest = f"{ctx.cwd}/azure.yaml" if ctx.cwd else "azure.yaml"
        if not phases or not self.repo.exists(manifest):
            return leaves
        from generator.assess.pipelines import azd_hooks

        here = ctx.here(argv)
        for phase, run, line, cwd, fail_ok in azd_hooks(self.repo, manifest):
            if phase.removeprefix("pre").removeprefix("post") not in phases:
                continue
            hop = Hop("azd", manifest, line, f"hook {phase}")
            inner = ctx.via(here, hop, cwd=cwd).at(manifest, line)
            if fail_ok:
                inner = inner.cannot_fail(f"azd hook `{phase}` has continueOnError: true")
            leaves.extend(self.resolve(run, inner, ShellState(True, False)))
        return leaves

    # ----- lookups -------------------------------------------------------------------------
    def entry_points(self, cwd: str = "") -> dict[str, str]:
        """Console scripts of the pyproject.toml of ``cwd`` (name → module)."""
        if cwd not in self._entry_points:
            rel = f"{cwd}/pyproject.toml" if cwd else "pyproject.toml"
            data = self.repo.toml(rel) if self.repo.exists(rel) else None
            scripts = {}
            if isinstance(data, dict):
                raw = (data.get("project") or {}).get("scripts") or {}
                raw2 = ((data.get("tool") or {}).get("poetry") or {}).get("scripts") or {}
                for name, target in {**raw2, **raw}.items():
                    if isinstance(target, str):
                        scripts[str(name)] = target.split(":", 1)[0].strip()
            self._entry_points[cwd] = scripts
        return self._entry_points[cwd]

    def npm_scripts(self, cwd: str = "") -> dict[str, str]:
        """Scripts of the package.json of ``cwd``."""
        if cwd not in self._npm:
            rel = f"{cwd}/package.json" if cwd else "package.json"
            data = self.repo.json(rel) if self.repo.exists(rel) else None
            scripts = data.get("scripts") if isinstance(data, dict) else None
            self._npm[cwd] = (
                {str(k): str(v) for k, v in scripts.items()} if isinstance(scripts, dict) else {}
            )
        return self._npm[cwd]

    def module_file(self, module: str, cwd: str = "") -> str | None:
        """``pkg.sub`` → ``src/pkg/sub.py`` / ``pkg/sub/__main__.py`` … (None when not in repo),
        looked up from ``cwd`` first, then from each folder above it up to the root."""
        base = module.replace(".", "/")
        parts = [p for p in cwd.split("/") if p]
        roots = [("/".join(parts[:i]) + "/") if i else "" for i in range(len(parts), -1, -1)]
        for root in roots:
            for prefix in ("", "src/", "app/", "lib/"):
                for suffix in (".py", "/__main__.py", "/__init__.py"):
                    if self.repo.exists(root + prefix + base + suffix):
                        return root + prefix + base + suffix
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
