"""``genaiops add workflows``: the checks the repository's CI does not run yet, nothing twice.

For tests, linters and the type checker, in that order: a CI step that already runs one on
every change is reused and nothing is added for it; otherwise the repository's own command
(Makefile, package.json, pyproject.toml) becomes a make target in ``mk/genaiops-ci.mk`` and a
job of ``.github/workflows/genaiops-ci.yml`` calls it. Delivery (the canary deploy) is added
only for a layout genaiops can deploy, and the plan says why not otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.add import commands
from generator.add.commands import KINDS, Command
from generator.add.plan import Plan

if TYPE_CHECKING:
    from generator.add.repo import RepoView
    from generator.assess.inventory import Project

JOB_NAMES = {"test": "tests", "lint": "lint", "typecheck": "type check"}
WORKFLOW = ".github/workflows/genaiops-ci.yml"
MK = "mk/genaiops-ci.mk"


def plan(view: RepoView) -> Plan:
    result = Plan("workflows")
    systems = [s for s in view.ci_systems if s != "github"]
    if systems and "github" not in view.ci_systems:
        result.refuse(
            f"the repository's CI is {', '.join(systems)}, not GitHub Actions; genaiops adds "
            "checks only as GitHub workflows (`genaiops add eval` adds `make eval`, which "
            "your pipeline can call)"
        )
        return result
    targets: list[dict[str, Any]] = []
    jobs: list[dict[str, str]] = []
    used: list[Project] = []
    for kind in KINDS:
        runs = view.inventory.ci_runs_of(kind)
        for run in runs[:2]:
            where = f" in {run.cwd}" if run.cwd else ""
            result.add(
                "reuse",
                f"CI {JOB_NAMES[kind]}",
                f"`{run.command}`{where} already runs on every change ({run.workflow}:{run.line})",
            )
        covered = {r.cwd for r in runs}
        found = []
        for project in view.projects:
            command = commands.find(view, project, kind)
            if command is None:
                continue
            if _covered(project.path, covered):
                continue
            found.append(command)
        if not found:
            if not runs:
                result.add(
                    "skip",
                    f"CI {JOB_NAMES[kind]}",
                    f"no {kind} command in the repository "
                    "(Makefile target, package.json script, or a configured and declared "
                    f"{commands.PYTHON_TOOLS[kind][0]})",
                )
            continue
        target = _target_for(view, kind, found, targets, result)
        jobs.append({"id": kind, "name": JOB_NAMES[kind], "target": target})
        used += [p for p in view.projects if any(c.project == p.path for c in found)]
        if any(c.via_root_make for c in found):
            used += [p for p in view.projects if p.path == ""]
    _deploy(view, result)
    if not jobs:
        result.refuse(
            "nothing to add: the CI already runs what the repository has, or it has no "
            "command for it (see above)"
        )
        return result
    deps = _deps_target(view, used, targets)
    result.answers["adapt"] = {
        "default_branch": view.default_branch,
        "targets": targets,
        "jobs": jobs,
        "deps_target": deps,
        "setup": _setup(used),
    }
    result.add("add", "CI workflow", f"jobs {', '.join(j['name'] for j in jobs)}", WORKFLOW)
    return result


def _covered(path: str, covered: set[str]) -> bool:
    """A CI step run at the root covers every project; one run in a folder covers that
    folder's project and those below it."""
    return any(c == "" or path == c or path.startswith(c + "/") for c in covered)


def _target_for(
    view: RepoView,
    kind: str,
    found: list[Command],
    targets: list[dict[str, Any]],
    result: Plan,
) -> str:
    """The make target the job calls: the root Makefile's own, or one defined in mk/."""
    root = next((c for c in found if c.via_root_make), None)
    if root is not None:
        del found[:]
        found.append(root)
        result.add("reuse", f"make {kind}", f"the Makefile's own target ({root.source})")
        return kind
    name = view.free_target(kind, f"ci-{kind}")
    recipe = [c.recipe() for c in found]
    targets.append(
        {
            "name": name,
            "help": f"{JOB_NAMES[kind]}: {_sources(found)}",
            "needs": [],
            "recipe": recipe,
        }
    )
    for c in found:
        where = f" in {c.project}" if c.project else ""
        result.add(
            "add",
            f"make {name}",
            f"runs `{c.run}`{where} (from {c.source}); your CI has not run it so far: "
            f"run `make {name}` once before pushing",
            MK,
        )
    return name


def _sources(found: list[Command]) -> str:
    return ", ".join(dict.fromkeys(c.source for c in found))


def _deps_target(view: RepoView, used: list[Project], targets: list[dict[str, Any]]) -> str:
    name = view.free_target("deps", "ci-deps")
    recipe = []
    for project in {p.path: p for p in used}.values():
        cmd = commands.install(project, view)
        if cmd:
            recipe.append(f"cd {project.path} && {cmd}" if project.path else cmd)
    if not recipe:
        recipe = ["@echo nothing to install"]
    targets.insert(
        0,
        {
            "name": name,
            "help": "install what the checks need (each project's own installer)",
            "needs": [],
            "recipe": recipe,
        },
    )
    return name


def _setup(used: list[Project]) -> dict[str, Any]:
    managers = {p.package_manager for p in used}
    python = [p for p in used if commands.is_python(p)]
    return {
        "python": commands.python_version(python) if python else "",
        "uv": "uv" in managers,
        "pipx": sorted(commands.PIPX_TOOLS[m] for m in managers if m in commands.PIPX_TOOLS),
        "corepack": bool(managers & {"pnpm", "yarn"}),
    }


def _deploy(view: RepoView, result: Plan) -> None:
    """genaiops's canary deploy needs its own IaC and a generated repository's delivery code."""
    inv = view.inventory
    if inv.iac:
        kinds = ", ".join(f"{k} ({v[0]})" for k, v in sorted(inv.iac.items()))
        why = (
            f"the repository deploys with infrastructure of its own: {kinds}; genaiops's canary "
            "deploys onto the Container Apps environment its own IaC creates, so it would "
            "fight yours (`genaiops assess` reports on the delivery you have)"
        )
    elif not any(p.dockerfile for p in view.projects):
        why = "no Dockerfile: genaiops's canary deploy ships a container image"
    else:
        why = (
            "genaiops's canary deploy runs the delivery code of a generated repository "
            "(deploy/, its app settings and health routes) against the infrastructure "
            "`genaiops add iac` creates; bringing it into another app's layout is not "
            "supported yet"
        )
    result.add("skip", "deploy workflow (canary, rollback)", why)
