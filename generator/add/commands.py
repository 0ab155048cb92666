"""The repository's own commands, as the added make targets and workflows run them.

Nothing here invents a command: each comes from the project's Makefile, package.json scripts,
or a tool its pyproject.toml configures and its manifests declare (``pytest``, ``ruff``,
``mypy``), run the way its package manager runs things (``poetry run``, ``uv run``, a
``.venv`` for a requirements file). How to install a project follows from its package manager
and lock file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

if TYPE_CHECKING:
    from generator.add.repo import RepoView
    from generator.assess.inventory import Project

KINDS = ("test", "lint", "typecheck")
RUNNERS = {"uv": "uv run", "poetry": "poetry run", "pdm": "pdm run", "pipenv": "pipenv run"}
PIPX_TOOLS = {"poetry": "poetry", "pdm": "pdm", "pipenv": "pipenv"}
NODE = ("npm", "pnpm", "yarn")
VENV = ".venv/bin/python"
# the tool a pyproject table configures, the command that runs it, the package that provides it
PYTHON_TOOLS = {
    "test": ("pytest", "pytest"),
    "lint": ("ruff", "ruff check ."),
    "typecheck": ("mypy", "mypy"),
}
NPM_SCRIPTS = {"test": ("test",), "lint": ("lint",), "typecheck": ("typecheck", "type-check")}
_NPM_PLACEHOLDER = re.compile(r"no test specified", re.I)
PYTHONS = ("3.12", "3.11", "3.13", "3.10", "3.9")  # preferred first


@dataclass(frozen=True)
class Command:
    """One command of one project: what runs, where, and where genaiops found it."""

    kind: str
    project: str  # "" for the root
    run: str
    source: str  # "Makefile", "package.json", "pyproject.toml [tool.pytest]" ...
    via_root_make: bool = False  # the root Makefile's own target: called as it is

    def recipe(self) -> str:
        return f"cd {self.project} && {self.run}" if self.project else self.run


def is_python(project: Project) -> bool:
    return "python" in project.languages and project.package_manager not in NODE


def install(project: Project, view: RepoView) -> str | None:
    """How to install ``project`` (its dependencies and tools), or None if nothing to do."""
    manager = project.package_manager
    base = f"{project.path}/" if project.path else ""
    if manager == "uv":
        return "uv sync --frozen" if view.exists(base + "uv.lock") else "uv sync"
    if manager == "poetry":
        return "poetry install --no-interaction"
    if manager == "pdm":
        return "pdm install"
    if manager == "pipenv":
        return "pipenv install --dev"
    if manager == "npm":
        return "npm ci" if view.exists(base + "package-lock.json") else "npm install"
    if manager == "pnpm":
        return "pnpm install --frozen-lockfile"
    if manager == "yarn":
        return "yarn install --frozen-lockfile"
    files = [r.removeprefix(base) for r in project.requirements if r.endswith(".txt")]
    if files or project.installable:
        parts = [f"-r {f}" for f in files] or ["-e ."]
        return f"python3 -m venv .venv && {VENV} -m pip install --quiet {' '.join(parts)}"
    return None


def python_tool(project: Project, command: str) -> str:
    """``command`` (``pytest -q``) the way the project's environment runs it."""
    runner = RUNNERS.get(project.package_manager or "")
    if runner:
        return f"{runner} {command}"
    return f"{VENV} -m {command}"


def find(view: RepoView, project: Project, kind: str) -> Command | None:
    """The project's own command for ``kind``, or None when it has none."""
    path = project.path
    base = f"{path}/" if path else ""
    mk = view.facts.resolver.makefile(path) if project.makefile else None
    names = {"test": ("test", "tests"), "lint": ("lint",), "typecheck": ("typecheck", "type-check")}
    for name in names[kind]:
        if mk is not None and name in mk.targets:
            if not path:
                return Command(kind, "", f"make {name}", "Makefile", via_root_make=True)
            return Command(kind, "", f"$(MAKE) -C {path} {name}", f"{base}Makefile")
    if project.package_manager in NODE:
        scripts = view.facts.resolver.npm_scripts(path)
        for name in NPM_SCRIPTS[kind]:
            body = scripts.get(name)
            if body and not _NPM_PLACEHOLDER.search(body):
                tool = project.package_manager
                return Command(kind, path, f"{tool} run {name}", f"{base}package.json")
        return None
    if not is_python(project):
        return None
    package, run = PYTHON_TOOLS[kind]
    if package not in project.dependencies:
        return None
    configured = _tool_tables(view, base)
    if package in configured:
        return Command(
            kind,
            path,
            python_tool(project, _with_target(kind, run, configured)),
            f"{base}pyproject.toml [tool.{package}]",
        )
    if kind == "test" and any(
        t.startswith(base) for t in view.facts.test_files if t.endswith(".py")
    ):
        return Command(
            kind, path, python_tool(project, run), f"tests and {package} in {base or 'the root'}"
        )
    return None


def _with_target(kind: str, run: str, tables: dict[str, dict[str, object]]) -> str:
    """``mypy`` needs something to check unless its table names it."""
    if kind == "typecheck":
        table = tables.get("mypy", {})
        if not any(k in table for k in ("files", "packages", "modules")):
            return "mypy ."
    return run


def _tool_tables(view: RepoView, base: str) -> dict[str, dict[str, object]]:
    rel = base + "pyproject.toml"
    data = view.facts.repo.toml(rel) if view.exists(rel) else None
    tool = data.get("tool") if isinstance(data, dict) else None
    if not isinstance(tool, dict):
        return {}
    return {str(k): v for k, v in tool.items() if isinstance(v, dict)}


def python_version(projects: list[Project]) -> str:
    """A Python every project allows (3.12 unless their declarations rule it out)."""
    allowed = [v for v in PYTHONS if all(_allows(p.python, v) for p in projects)]
    return allowed[0] if allowed else PYTHONS[0]


def _allows(declared: str | None, version: str) -> bool:
    if not declared:
        return True
    text = declared.strip()
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", text):
        return ".".join(text.split(".")[:2]) == version
    spec = _poetry_to_pep440(text)
    try:
        return Version(version) in SpecifierSet(spec)
    except InvalidSpecifier:
        return True


def _poetry_to_pep440(text: str) -> str:
    """Poetry's ``^3.10`` / ``~3.11`` as PEP 440 (``>=3.10,<4``); anything else as it is."""
    parts = []
    for part in re.split(r"\s*,\s*|\s+", text.strip()):
        m = re.fullmatch(r"([\^~])(\d+)(?:\.(\d+))?(?:\.(\d+))?", part)
        if not m:
            parts.append(part)
            continue
        op, major, minor = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        upper = f"{major + 1}" if op == "^" else f"{major}.{minor + 1}"
        parts += [f">={major}.{minor}", f"<{upper}"]
    return ",".join(p for p in parts if p)
