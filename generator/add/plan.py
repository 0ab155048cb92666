"""A plan: what ``genaiops add CAPABILITY`` will do to one repository, and why.

``--pretend`` prints it and writes nothing; ``--format json`` gives it to machines. A plan with
a refusal writes nothing at all: the capability does not fit the repository, and it says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["add", "create", "edit", "reuse", "skip"]
ORDER: tuple[Action, ...] = ("add", "create", "edit", "reuse", "skip")
HEADINGS = {
    "add": "will add",
    "create": "will create (yours from then on)",
    "edit": "will edit",
    "reuse": "reuses what the repository has",
    "skip": "skipped",
}


@dataclass(frozen=True)
class Step:
    """One decision of the plan: a piece of the capability and what happens to it."""

    action: Action
    what: str
    detail: str = ""  # why, or what it runs
    paths: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "what": self.what,
            "detail": self.detail,
            "paths": list(self.paths),
        }


@dataclass
class Plan:
    capability: str
    steps: list[Step] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # rendered and recorded
    defaults: dict[str, Any] = field(default_factory=dict)  # offered for the questions
    writes: dict[str, str] = field(default_factory=dict)  # files genaiops writes once
    makefile: MakefileChange | None = None
    refusal: str | None = None

    def add(self, action: Action, what: str, detail: str = "", *paths: str) -> None:
        self.steps.append(Step(action, what, detail, tuple(paths)))

    def refuse(self, reason: str) -> None:
        self.refusal = reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "refused": self.refusal,
            "steps": [s.to_dict() for s in self.steps],
            "makefile": self.makefile.to_dict() if self.makefile else None,
            "answers": self.answers,
        }

    def lines(self) -> list[str]:
        """The plan for a person: grouped by action, one line per decision."""
        out = [f"plan for `genaiops add {self.capability}`:"]
        for action in ORDER:
            steps = [s for s in self.steps if s.action == action]
            if not steps:
                continue
            out.append(f"  {HEADINGS[action]}:")
            for step in steps:
                where = f" ({', '.join(step.paths)})" if step.paths else ""
                detail = f": {step.detail}" if step.detail else ""
                out.append(f"    - {step.what}{where}{detail}")
        if self.refusal:
            out.append(f"  not added: {self.refusal}")
        return out


@dataclass(frozen=True)
class MakefileChange:
    """The one change to the repository's Makefile that makes the added targets exist."""

    path: str
    create: bool  # no Makefile yet: a small one is created
    line: str  # the include line (appended, or the last line of the new file)
    text: str  # the new file, or what is appended to the existing one

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "create": self.create, "line": self.line}
