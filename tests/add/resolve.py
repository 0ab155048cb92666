"""Walk every ``run:`` step of the workflows `genaiops add` wrote with the assess chain resolver
and say which commands do not resolve to something the repository has.

A command resolves when its chain can fail its step (no ``|| true``, no missing make target),
it runs in a folder that exists, and what it finally runs is there: a script or module of the
repository, a tool the project it runs in declares (pytest in its dependencies, vitest in its
package.json), or an installer whose inputs exist (``npm ci`` next to a package-lock.json,
``pip install -r`` of files that are there).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.assess.collect import Repo
from generator.assess.facts import Facts
from generator.assess.inventory import inventory, normalise
from generator.assess.workflows import NOOP

INSTALLERS = re.compile(
    r"^(pipx install \S+|corepack enable|npm ci|npm install|pnpm install|yarn install|"
    r"poetry install|uv sync|pdm install|pipenv install|python3 -m venv \.venv)\b"
)
NODE_BINS = {"tsc": "typescript"}
RUNS_A_BIN = {"npx", "pnpx"}
ADDED = ".github/workflows/genaiops-"


def added_runs(root: Path) -> tuple[Facts, list]:
    facts = Facts(Repo.scan(root))
    runs = [r for r in facts.workflows.runs if r.workflow.path.startswith(ADDED)]
    return facts, runs


def unresolved(root: Path) -> list[str]:
    """One line per command of an added workflow that does not resolve (empty: all do)."""
    facts, runs = added_runs(root)
    if not runs:
        return ["no run: step in any added workflow"]
    inv = inventory(facts)
    deps = {p.path: p.dependencies for p in inv.projects}
    problems: list[str] = []
    steps: dict[tuple[str, int], bool] = {}
    for run in runs:
        leaf = run.leaf
        where = f"{run.workflow.path}:{run.step.line} `{leaf.text}`"
        if leaf.argv and leaf.argv[0] in NOOP:
            continue  # `echo` says what runs next; the repository's own recipe style
        steps[(run.workflow.path, run.step.line)] = steps.get(
            (run.workflow.path, run.step.line), False
        ) or bool(run.gate)
        if not run.gate:
            problems.append(f"{where}: its failure would not fail the step ({run.why_not})")
            continue
        if leaf.cwd and not (root / leaf.cwd).is_dir():
            problems.append(f"{where}: runs in {leaf.cwd}/, which does not exist")
        missing = [f for f in leaf.files if not (root / f).exists()]
        if missing:
            problems.append(f"{where}: goes through missing {', '.join(missing)}")
        written = [h.text for h in leaf.hops if h.kind == "command"]
        last = written[-1] if written else leaf.text
        if INSTALLERS.match(last):
            problems += _installer_inputs(root, leaf.cwd, last, where)
            continue
        head = leaf.argv[0].rsplit("/", 1)[-1] if leaf.argv else ""
        if head in RUNS_A_BIN:  # `npx eslint src`: the package's own binary runs
            head = next((a for a in leaf.argv[1:] if not a.startswith("-")), head)
        if head == "pip" and "install" in leaf.argv:
            problems += _pip_inputs(root, leaf.cwd, leaf.argv, where)
            continue
        if head == "venv":
            continue  # python3 -m venv .venv, before the install that uses it
        if any(h.kind in ("module", "script") for h in leaf.hops):
            continue  # the repository's own code, checked to exist above
        declared = deps.get(leaf.cwd, frozenset())
        if normalise(NODE_BINS.get(head, head)) not in declared:
            problems.append(
                f"{where}: `{head}` is neither the repository's code nor a tool "
                f"{leaf.cwd or 'the root'} declares"
            )
    problems += [
        f"{path}:{line}: the step runs nothing that can fail"
        for (path, line), ok in steps.items()
        if not ok
    ]
    return problems


def _installer_inputs(root: Path, cwd: str, command: str, where: str) -> list[str]:
    base = root / cwd if cwd else root
    need = {
        "npm ci": "package-lock.json",
        "poetry install": "pyproject.toml",
        "uv sync": "pyproject.toml",
        "pnpm install": "pnpm-lock.yaml",
    }
    for prefix, name in need.items():
        if command.startswith(prefix) and not (base / name).is_file():
            return [f"{where}: `{prefix}` without {cwd or '.'}/{name}"]
    return []


def _pip_inputs(root: Path, cwd: str, argv: tuple[str, ...], where: str) -> list[str]:
    base = root / cwd if cwd else root
    files = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-r"]
    return [f"{where}: installs from missing {f}" for f in files if not (base / f).is_file()]
