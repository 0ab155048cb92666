"""``genaiops add pipelines``: Azure Pipelines, for a repository genaiops generated.

The pipelines run a generated repository's make targets and delivery code (``make test``,
``make eval``, ``deploy/``); a repository generated with ``ci: github`` gets them beside its
GitHub workflows. Into any other repository they would call targets and code it does not have,
so they are refused there with what to do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.add.plan import Plan
from generator.errors import GenaiopsError
from generator.update import answers_file

if TYPE_CHECKING:
    from generator.add.repo import RepoView


def plan(view: RepoView) -> Plan:
    result = Plan("pipelines")
    if not _generated(view):
        result.refuse(
            "genaiops's Azure Pipelines run the make targets and delivery code of a repository "
            "`genaiops new` generated (make test, make eval, deploy/); this one was not. "
            "`genaiops add eval` adds `make eval` (and `genaiops add workflows` the checks "
            "your CI lacks, for GitHub Actions): call those targets from your own pipeline"
        )
        return result
    result.add(
        "add",
        "Azure Pipelines",
        "CI, eval gate, deploy and monitor, beside the GitHub workflows",
        ".azure-pipelines/",
    )
    result.answers["adapt"] = {}
    return result


def _generated(view: RepoView) -> bool:
    if not view.exists(answers_file.MAIN):
        return False
    try:
        existing = answers_file.load(view.root, answers_file.MAIN)
    except GenaiopsError:
        return False
    return bool(existing.data.get("capability", "app") == "app")
