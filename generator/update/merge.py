"""Line-level 3-way merge with ``git merge-file``, the same merge Copier's inline mode uses.

Copier's conflict markers read ``<<<<<<< before updating`` (the team's side) and
``>>>>>>> after updating`` (the template's); ours use the same labels so a user resolves every
conflict of an update the same way.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.errors import GenaiopsError

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
    with tempfile.TemporaryDirectory(prefix="genaiops-merge-") as tmp:
        paths = []
        for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(content)
            paths.append(str(path))
        try:
            proc = subprocess.run(
                [
                    "git",
                    "merge-file",
                    "-p",
                    "-L",
                    OURS_LABEL,
                    "-L",
                    BASE_LABEL,
                    "-L",
                    THEIRS_LABEL,
                    *paths,
                ],
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise GenaiopsError("git is not installed or not on PATH", exit_code=1) from None
    if proc.returncode < 0 or proc.returncode > 127:
        detail = proc.stderr.decode(errors="replace").strip()
        raise GenaiopsError(f"git merge-file failed: {detail or proc.returncode}", exit_code=1)
    return MergeResult(content=proc.stdout, conflicts=proc.returncode)


def has_markers(content: bytes) -> bool:
    """Conflict markers of an update, as Copier detects them."""
    return any(line.rstrip() in (START_MARKER, END_MARKER) for line in content.splitlines())
