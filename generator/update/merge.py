"""Line-level 3-way merge with ``git merge-file``, the same merge Copier's inline mode uses.

Copier's conflict markers read ``<<<<<<< before updating`` (the team's side) and
``>>>>>>> after updating`` (the template's); ours use the same labels so a user resolves every
conflict of an update the same way.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from generator import git

OURS_LABEL = "before updating"
BASE_LABEL = "last update"
THEIRS_LABEL = "after updating"
START_MARKER = b"<<<<<<< " + OURS_LABEL.encode()
END_MARKER = b">>>>>>> " + THEIRS_LABEL.encode()


@dataclass(frozen=True)
class MergeResult:
    content: bytes
    conflicts: int

    @property
    def clean(self) -> bool:
        return self.conflicts == 0


def three_way(base: bytes, ours: bytes, theirs: bytes) -> MergeResult:
    """Merge the template's change (base -> theirs) into the team's file (ours).

    Lines changed on one side only are taken from that side; lines both sides changed
    differently end up between conflict markers, the team's text first. Nothing is dropped.
    """
    content, conflicts = git.merge_file(base, ours, theirs, (OURS_LABEL, BASE_LABEL, THEIRS_LABEL))
    return MergeResult(content=content, conflicts=conflicts)


def keep_ours(base: bytes, ours: bytes, theirs: bytes, rel: str) -> tuple[bytes, bytes]:
    """``--conflict rej`` done as the team expects: their file, and only the conflicts aside.

    Returns the team's file with the template's non-conflicting changes merged in, and a patch
    (empty when nothing conflicts) that turns it into the template's side of every conflicting
    hunk, for ``git apply`` or review; nothing of the team's is removed from the file.
    """
    labels = (OURS_LABEL, BASE_LABEL, THEIRS_LABEL)
    kept, _ = git.merge_file(base, ours, theirs, labels, favor="ours")
    taken, _ = git.merge_file(base, ours, theirs, labels, favor="theirs")
    if kept == taken:
        return kept, b""
    diff = difflib.unified_diff(
        kept.decode(errors="surrogateescape").splitlines(keepends=True),
        taken.decode(errors="surrogateescape").splitlines(keepends=True),
        fromfile=f"a/{rel}",
        tofile=f"b/{rel}",
    )
    return kept, "".join(diff).encode(errors="surrogateescape")


def has_markers(content: bytes) -> bool:
    """Conflict markers of an update, as Copier detects them."""
    return any(line.rstrip() in (START_MARKER, END_MARKER) for line in content.splitlines())
