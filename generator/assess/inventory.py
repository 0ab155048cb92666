"""What a repository holds, as a typed view over the collected ``Facts``: the one repository
reader other commands (``genaiops add``) build on, so none writes a second one.

    facts = Facts(Repo.scan(path))
    inv = inventory(facts)
    inv.projects[0].package_manager, inv.projects[0].commands["test"], inv.ci, inv.iac ...
    facts.resolver.resolve_command("make test", cwd="src/backend")  # what a command reaches

Everything here is derived from what files contain and what CI steps run, never from a
repository's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.assess.facts import Facts

_LOCKS = (
    ("uv.lock", "uv"),
    ("poetry.lock", "poetry"),
    ("pdm.lock", "pdm"),
    ("Pipfile.lock", "pipenv"),
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
)
_LANG = {".py": "python", ".ts": "typescript", ".tsx": "typescript", ".js": "javascript",
         ".go": "go", ".cs": "csharp", ".java": "java"}  # fmt: skip
_KINDS = ("test", "lint", "typecheck")
_TYPECHECK = re.compile(r"\b(mypy|pyright|tsc\b|basedpyright|type-?check)", re.I)
_LINT = re.compile(r"\b(ruff|flake8|pylint|eslint|black\s+--check|pre-commit\s+run|lint)\b", re.I)


@dataclass(frozen=True)
class Project:
    """A folder with its own manifest (the root, ``src/backend/``, ``frontend/`` ...)."""

    path: str  # "" for the root
    manifests: tuple[str, ...]
    languages: tuple[str, ...]
    package_manager: str | None  # uv, poetry, pdm, pipenv, pip-tools, requirements, npm, pnpm, yarn
    makefile: str | None
    commands: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test/lint/typecheck


@dataclass(frozen=True)
class Pipeline:
    system: str  # github | azure-pipelines | gitlab | cloud-build
    path: str
    name: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class Inventory:
    genai: str | None  # where GenAI practice shows, None for none
    projects: tuple[Project, ...]
    ci: tuple[Pipeline, ...]
    iac: dict[str, tuple[str, ...]]  # bicep | terraform | arm | cdk → files
    eval_entrypoints: tuple[str, ...]  # commands that run an evaluation
    datasets: tuple[str, ...]  # evaluation datasets with enough real records
    prompts: tuple[str, ...]

    def project(self, path: str = "") -> Project | None:
        return next((p for p in self.projects if p.path == path), None)


def _package_manager(facts: Facts, base: str) -> str | None:
    repo = facts.repo
    for name, manager in _LOCKS:
        if repo.exists(base + name):
            return manager
    reqs = repo.glob(base + "requirements*.txt")
    if any("pip-compile" in (repo.text(r) or "")[:2000] or "# via" in (repo.text(r) or "")
           for r in reqs):  # fmt: skip
        return "pip-tools"
    if reqs:
        return "requirements"
    data = repo.toml(base + "pyproject.toml") if repo.exists(base + "pyproject.toml") else None
    if isinstance(data, dict):
        tool = data.get("tool") or {}
        if "poetry" in tool:
            return "poetry"
        if "uv" in tool:
            return "uv"
    if repo.exists(base + "package.json"):
        return "npm"
    return None


def _commands(facts: Facts, path: str) -> dict[str, tuple[str, ...]]:
    """Test, lint and type-check commands of a project: what its CI runs there first, then its
    Makefile targets, package.json scripts and pyproject tool tables."""
    found: dict[str, list[str]] = {k: [] for k in _KINDS}

    def add(kind: str, command: str) -> None:
        if command not in found[kind]:
            found[kind].append(command)

    for run in facts.workflows.runs:
        if run.leaf.cwd != path or not run.gate:
            continue
        text = run.command
        if facts.is_test(run.leaf):
            add("test", text)
        elif _TYPECHECK.search(run.leaf.text):
            add("typecheck", text)
        elif _LINT.search(run.leaf.text):
            add("lint", text)
    mk = facts.resolver.makefile(path)
    for name in mk.targets if mk else {}:
        if name in ("test", "tests", "check"):
            add("test", f"make {name}")
        elif name in ("lint", "format-check"):
            add("lint", f"make {name}")
        elif name in ("typecheck", "type-check", "mypy"):
            add("typecheck", f"make {name}")
    for name in facts.resolver.npm_scripts(path):
        kind = {"test": "test", "lint": "lint", "typecheck": "typecheck", "type-check": "typecheck"}
        if name in kind:
            add(kind[name], f"npm run {name}")
    base = f"{path}/" if path else ""
    data = (
        facts.repo.toml(base + "pyproject.toml")
        if facts.repo.exists(base + "pyproject.toml")
        else None
    )
    tool = (data.get("tool") or {}) if isinstance(data, dict) else {}
    if "pytest" in tool:
        add("test", "pytest")
    if "ruff" in tool:
        add("lint", "ruff check .")
    if "mypy" in tool:
        add("typecheck", "mypy")
    return {k: tuple(v) for k, v in found.items() if v}


def inventory(facts: Facts) -> Inventory:
    """The repository as ``genaiops add`` needs it (see the module docstring)."""
    from generator.assess.probes.evaluation import eval_leaves, real_leaves

    projects = []
    for path in facts.project_dirs or [""]:
        base = f"{path}/" if path else ""
        manifests = tuple(
            base + m
            for m in ("pyproject.toml", "package.json", "Makefile", "setup.py", "go.mod")
            if facts.repo.exists(base + m)
        )
        files = facts.repo.under(path) if path else list(facts.repo.sizes)
        langs = sorted(
            {_LANG[f[f.rfind(".") :]] for f in files[:5000] if f[f.rfind(".") :] in _LANG}
        )
        projects.append(
            Project(
                path=path,
                manifests=manifests,
                languages=tuple(langs),
                package_manager=_package_manager(facts, base),
                makefile=base + "Makefile" if facts.repo.exists(base + "Makefile") else None,
                commands=_commands(facts, path),
            )
        )
    iac: dict[str, list[str]] = {}
    for rel in facts.iac_files:
        kind = (
            "bicep"
            if rel.endswith((".bicep", ".bicepparam"))
            else "terraform"
            if rel.endswith((".tf", ".tfvars"))
            else "arm"
            if rel.endswith(".json")
            else "cdk"
        )
        iac.setdefault(kind, []).append(rel)
    evals = [leaf.text for leaf in real_leaves(facts, eval_leaves(facts))]
    return Inventory(
        genai=facts.genai,
        projects=tuple(projects),
        ci=tuple(
            Pipeline(w.system, w.path, w.name, tuple(sorted(w.effective_triggers())))
            for w in facts.workflows.workflows
        ),
        iac={k: tuple(v) for k, v in iac.items()},
        eval_entrypoints=tuple(dict.fromkeys(evals)),
        datasets=tuple(d.path for d in facts.good_datasets()),
        prompts=tuple(facts.prompt_files),
    )
