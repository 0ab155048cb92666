"""What a run cannot judge, said as such: a reviewer is never told "passed" about it.

The offline model is extractive: it reads the prompt's delimited data blocks (sources,
question, text) and ignores the instructions around them. So an instruction-level change to a
prompt ("answer in French, without citations") leaves every offline metric unchanged. The gate
notices the one thing it can: the prompt file's hash differs from the one the baseline was
recorded with, and reports that prompt as *not evaluated offline*.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Note:
    """Something this run did not measure (it never counts as passed)."""

    suite: str
    what: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def file_sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def prompt_files(library: Any) -> dict[str, dict[str, str]]:
    """prompt id -> {file, variant, sha256} for every prompt an app's PromptLibrary loaded.

    ``file`` is relative to the prompts folder, so a copy of the folder elsewhere (a variant
    under test) is compared by content, not by where it lives.
    """
    found: dict[str, dict[str, str]] = {}
    for prompt_id, prompt in sorted(getattr(library, "prompts", {}).items()):
        path = getattr(prompt, "path", None)
        if path is None or not Path(path).is_file():
            continue
        found[prompt_id] = {
            "file": f"{Path(path).parent.name}/{Path(path).name}",
            "variant": str(getattr(prompt, "variant", "")),
            "sha256": file_sha256(Path(path)),
        }
    return found


def unevaluated_prompt_changes(
    suite: str,
    used: set[str],
    current: dict[str, dict[str, str]],
    baseline: dict[str, dict[str, str]] | None,
) -> list[Note]:
    """Notes for prompts ``suite`` used whose file differs from the baseline's (offline runs)."""
    notes: list[Note] = []
    for prompt_id in sorted(used):
        now = current.get(prompt_id)
        if now is None:
            continue
        before = (baseline or {}).get(prompt_id)
        if before is None:
            detail = (
                f"prompts/{now['file']}: the baseline records no hash for prompt "
                f"'{prompt_id}', so a change to its instructions cannot be ruled out"
            )
        elif before.get("sha256") == now["sha256"]:
            continue
        else:
            detail = (
                f"prompts/{now['file']} differs from the file the baseline was recorded with "
                f"({before.get('file')}, {str(before.get('sha256'))[7:19]} -> "
                f"{now['sha256'][7:19]}). The offline model reads the prompt's data blocks, "
                "not its instructions: a real-model run (docs/eval.md) judges this change"
            )
        notes.append(Note(suite, f"prompt {prompt_id}: not evaluated offline", detail))
    return notes
