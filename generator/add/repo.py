"""The repository ``genaiops add`` lands in, read once with the assess collectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from generator import git

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.inventory import Inventory, Project

_INCLUDES_MK = re.compile(r"^\s*-?s?include\s+.*\bmk/", re.M)


@dataclass
class RepoView:
    """The inventory of one repository plus the few facts only ``add`` asks about."""

    root: Path
    facts: Facts
    inventory: Inventory

    @classmethod
    def read(cls, root: Path) -> RepoView:
        from generator.assess.collect import Repo
        from generator.assess.facts import Facts
        from generator.assess.inventory import inventory

        facts = Facts(Repo.scan(root))
        return cls(root, facts, inventory(facts))

    def exists(self, rel: str) -> bool:
        return self.facts.repo.exists(rel)

    def text(self, rel: str) -> str | None:
        return self.facts.repo.text(rel)

    @cached_property
    def root_targets(self) -> frozenset[str]:
        """Targets of the root Makefile (and what it includes)."""
        mk = self.facts.resolver.makefile("")
        return frozenset(mk.targets) if mk else frozenset()

    @property
    def makefile(self) -> str | None:
        root = self.inventory.project("")
        return root.makefile if root else None

    def includes_mk(self) -> bool:
        """Does the root Makefile already include files from ``mk/``?"""
        return bool(self.makefile and _INCLUDES_MK.search(self.text(self.makefile) or ""))

    def free_target(self, *names: str) -> str:
        """The first of ``names`` the root Makefile does not define yet."""
        for name in names:
            if name not in self.root_targets:
                return name
        return f"genaiops-{names[0]}"

    @cached_property
    def ci_systems(self) -> tuple[str, ...]:
        """CI systems the repository uses (github, azure-pipelines, gitlab ...), none: ()."""
        return tuple(dict.fromkeys(p.system for p in self.inventory.ci))

    @property
    def projects(self) -> tuple[Project, ...]:
        return self.inventory.projects

    @cached_property
    def default_branch(self) -> str:
        """The branch pushes to which the added workflows run on."""
        branch = git.default_branch(self.root)
        return branch or "main"
