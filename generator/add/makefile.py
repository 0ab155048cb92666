"""The one change ``genaiops add`` makes to a Makefile it did not write.

The capabilities keep their targets in ``mk/*.mk``. A repository with a Makefile gets one
``include`` line at its end (its default goal and targets stay as they are); one without gets
a small Makefile whose last line is that include. Either way, every target an added workflow
calls exists afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.add.plan import MakefileChange

if TYPE_CHECKING:
    from pathlib import Path

    from generator.add.repo import RepoView

INCLUDE = "include mk/*.mk"
COMMENT = "# genaiops add: the targets of the capabilities it added (mk/*.mk)"
STUB = f"""\
# Make targets of this repository. `genaiops add` keeps the targets of each capability it
# added in mk/*.mk (they run this repository's own commands); add yours here.
.DEFAULT_GOAL := help
.PHONY: help
help: ## list the targets
\t@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | sort \\
\t\t| awk -F':.*## ' '{{printf "  %-16s %s\\n", $$1, $$2}}'

{INCLUDE}
"""


def change_for(view: RepoView) -> MakefileChange | None:
    """What to do to the root Makefile so ``mk/*.mk`` is included (None: it already is)."""
    existing = view.makefile
    if existing is None:
        return MakefileChange("Makefile", create=True, line=INCLUDE, text=STUB)
    if view.includes_mk():
        return None
    return MakefileChange(existing, create=False, line=INCLUDE, text=f"\n{COMMENT}\n{INCLUDE}\n")


def apply(root: Path, change: MakefileChange) -> None:
    """Create the Makefile, or append the include to the one there (bytes kept as they are)."""
    path = root / change.path
    if change.create:
        path.write_text(change.text, encoding="utf-8")
        return
    current = path.read_bytes()
    sep = b"" if not current or current.endswith(b"\n") else b"\n"
    path.write_bytes(current + sep + change.text.encode())
