"""Template migrations: Python functions that run after an update crosses their version.

Copier's own ``_migrations`` run shell commands and need ``--trust``; ours are plain,
tested Python, so our template stays safe. A migration runs when the update goes from a
version below ``version`` to one at or above it (``from < version <= to``), in version order,
after Copier's 3-way merge.

The typical breaking change is a file the template renamed. Copier alone would delete the
team's edited old file and render the new one from scratch; ``ctx.rename(old, new)`` instead
3-way merges the team's edits of ``old`` into the template's ``new``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import Version

from generator.bundle import parse_tag


@dataclass
class MigrationContext:
    """What a migration sees: the project after the merge, and where to record its work."""

    project: Path
    from_version: Version
    to_version: Version
    answers: dict[str, Any]
    renames: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rename(self, old: str, new: str) -> None:
        """Carry the team's edits of ``old`` over to ``new`` (done once all migrations ran)."""
        self.renames.append((old, new))

    def note(self, message: str) -> None:
        """A line for the update summary (what the migration changed and why)."""
        self.notes.append(message)


@dataclass(frozen=True)
class Migration:
    version: str
    description: str
    apply: Callable[[MigrationContext], None]

    @property
    def parsed(self) -> Version:
        parsed = parse_tag(self.version)
        if parsed is None:
            raise ValueError(f"migration {self.description!r}: bad version {self.version!r}")
        return parsed


def rename(version: str, old: str, new: str) -> Migration:
    """A migration that renames one template file, keeping the team's edits."""

    def apply(ctx: MigrationContext) -> None:
        ctx.rename(old, new)

    return Migration(version=version, description=f"{old} renamed to {new}", apply=apply)


def pending(
    migrations: Iterable[Migration], from_version: Version, to_version: Version
) -> list[Migration]:
    chosen = [m for m in migrations if from_version < m.parsed <= to_version]
    return sorted(chosen, key=lambda m: m.parsed)


# The genaiops template's own migrations, oldest first. Add one when a release renames or
# moves a template file, e.g. ``rename("0.3.0", "mk/ci.mk", "mk/deploy.mk")``.
REGISTRY: tuple[Migration, ...] = ()
