"""``genaiops add pre-commit``: the template's local hooks, where the repository has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.add.plan import Plan

if TYPE_CHECKING:
    from generator.add.repo import RepoView

CONFIG = ".pre-commit-config.yaml"


def plan(view: RepoView) -> Plan:
    result = Plan("pre-commit")
    if view.exists(CONFIG):
        result.add("reuse", "pre-commit hooks", "the repository configures its own", CONFIG)
        result.refuse(
            f"the repository has its own {CONFIG}; genaiops does not merge hook lists "
            "(add the hooks you want from the genaiops template by hand)"
        )
        return result
    result.add("add", "pre-commit hooks", "local hooks from pinned PyPI packages", CONFIG)
    result.answers["adapt"] = {}
    return result
