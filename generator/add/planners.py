"""One planner per capability; a capability without one is brought in as the template has it
(its make targets still included by the Makefile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generator.add import evals, iac, makefile, pipelines, precommit, workflows
from generator.add.plan import Plan

if TYPE_CHECKING:
    from generator.add.repo import RepoView

PLANNERS: dict[str, Callable[[RepoView, dict[str, Any]], Plan]] = {
    "workflows": lambda view, _data: workflows.plan(view),
    "iac": lambda view, _data: iac.plan(view),
    "eval": evals.plan,
    "pre-commit": lambda view, _data: precommit.plan(view),
    "pipelines": lambda view, _data: pipelines.plan(view),
}
FINISHERS: dict[str, Callable[[RepoView, Plan, dict[str, Any]], None]] = {
    "eval": evals.finish,
}


def plan_for(capability: str, view: RepoView, data: dict[str, Any]) -> Plan:
    planner = PLANNERS.get(capability)
    if planner is None:
        result = Plan(capability)
        result.answers["adapt"] = {}
        return result
    return planner(view, data)


def finish(
    capability: str, view: RepoView, result: Plan, answers: dict[str, Any], files: list[str]
) -> None:
    """With the final answers and the rendered files: the skeletons, the Makefile's include."""
    finisher = FINISHERS.get(capability)
    if finisher is not None:
        finisher(view, result, answers)
    if any(f.startswith("mk/") and f.endswith(".mk") and "/" not in f[3:] for f in files):
        change = makefile.change_for(view)
        result.makefile = change
        if change is None:
            result.add("reuse", "Makefile", "it already includes mk/", view.makefile or "")
        elif change.create:
            result.add(
                "create",
                "Makefile",
                f"no Makefile yet: a small one ending `{change.line}`",
                change.path,
            )
        else:
            result.add("edit", "Makefile", f"one line appended: `{change.line}`", change.path)
