"""What an update or add did, as data (JSON) and as the short text a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ABORT_HINT = "to abort: git reset --hard && git clean -fd"


@dataclass
class UpdateResult:
    project: Path
    answers_file: str
    from_version: str
    to_version: str
    status: str  # updated | up to date | skipped | added | error
    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)
    new_answers: dict[str, Any] = field(default_factory=dict)
    changed_answers: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)  # (path, template diff)
    message: str = ""
    pretend: bool = False

    @classmethod
    def skipped(cls, project: Path, relpath: str, version: str, message: str) -> UpdateResult:
        status = "up to date" if message == "up to date" else "skipped"
        return cls(project, relpath, version, version, status, message=message)

    @property
    def conflicted(self) -> bool:
        return bool(self.conflicts or self.rejects)

    @property
    def changed(self) -> bool:
        return bool(
            self.updated
            or self.added
            or self.removed
            or self.renamed
            or self.conflicts
            or self.rejects
            or self.status in ("updated", "added")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": str(self.project),
            "answers_file": self.answers_file,
            "from": self.from_version,
            "to": self.to_version,
            "status": self.status,
            "pretend": self.pretend,
            "updated": self.updated,
            "added": self.added,
            "removed": self.removed,
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "rejects": self.rejects,
            "new_answers": self.new_answers,
            "changed_answers": self.changed_answers,
            "warnings": self.warnings,
            "notes": self.notes,
            "missed": [{"path": path, "diff": diff} for path, diff in self.missed],
            "message": self.message,
        }

    def lines(self) -> list[str]:
        """The text summary; every list in it is complete (no "and N more")."""
        head = f"{self.project} ({self.answers_file})"
        if self.status in ("up to date", "skipped", "error"):
            return [f"{head}: {self.message or self.status} ({self.from_version})"]
        verb = "would go" if self.pretend else "went"
        if self.status == "added":
            lines = [f"{head}: {self.message}"]
        else:
            lines = [f"{head}: {verb} from {self.from_version} to {self.to_version}"]
        for label, paths in (
            ("updated", self.updated),
            ("added", self.added),
            ("removed", self.removed),
            ("unchanged", self.unchanged),
        ):
            if paths:
                lines.append(f"  {label} ({len(paths)}): {', '.join(paths)}")
        if self.renamed:
            shown = ", ".join(f"{a} -> {b}" for a, b in self.renamed)
            lines.append(f"  renamed ({len(self.renamed)}): {shown}")
        for key, value in self.new_answers.items():
            lines.append(f"  new question {key}: {value}")
        for key, value in self.changed_answers.items():
            lines.append(f"  answer changed {key}: {value}")
        lines.extend(f"  note: {note}" for note in self.notes)
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        for _, diff in self.missed:
            lines.extend(f"    {line}" for line in diff.splitlines())
        if self.conflicts:
            lines.append(f"  CONFLICTS ({len(self.conflicts)}): {', '.join(self.conflicts)}")
            lines.append(
                "  resolve the <<<<<<< before updating / >>>>>>> after updating markers, "
                f"`git add` the files, then commit ({ABORT_HINT})"
            )
        if self.rejects:
            lines.append(f"  REJECTED HUNKS ({len(self.rejects)}): {', '.join(self.rejects)}")
            whose = (
                "the template's version of the file, as a patch"
                if self.status == "added"
                else "the template's changes that conflict with your edits, as a patch against "
                "your file (for a file the update removed: your own change)"
            )
            lines.append(
                f"  each .rej holds {whose}: apply what you want (git apply FILE.rej), "
                "delete the .rej, then commit"
            )
        if not self.conflicted and self.status == "updated" and not self.pretend:
            lines.append("  review with `git diff`, then commit")
        return lines
