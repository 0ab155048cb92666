"""Read GitHub workflows the way the tests need them: YAML, steps, run scripts, make targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genrepo import needs_search
from ruamel.yaml import YAML

NAMES = (
    "ci",
    "deploy",
    "infra-preview",
    "monitor",
    "prompt-compare",
    "redteam",
    "refresh-index",
    "template-update",
)
# workflows a use case does not get: one without the search index (classification) has no index
# to refresh (the computed value comes from the use case registry, use_cases.yml)
CONDITIONAL = {"refresh-index": "use_case_needs_search"}


def names_for(use_case: str) -> list[str]:
    return sorted(n for n in NAMES if not (n == "refresh-index" and not needs_search(use_case)))


_MAKE = re.compile(r"""(?:^|(?<=[\s;&|("]))(?:make|\$\(MAKE\))(?=\s)""")
_STOP = set("|;&)(\"'<>`$")


def load(path: Path) -> dict[Any, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key "on" as True
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def steps(workflow: dict[Any, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def make_targets(script: str) -> set[str]:
    """Targets named on `make ...` / `$(MAKE) ...` command lines (options and VAR=x skipped)."""
    found: set[str] = set()
    for line in script.replace("\\\n", " ").splitlines():
        for match in _MAKE.finditer(line):
            for word in line[match.end() :].split():
                if "=" in word and re.match(r"^[A-Za-z_]\w*=", word):
                    if _STOP & set(word.split("=", 1)[1].strip("\"'")):
                        break  # the value runs into shell syntax: the command ends here
                    continue
                if word.startswith("-"):
                    continue
                if not re.fullmatch(r"[a-z][\w-]*", word):
                    break
                found.add(word)
    return found
