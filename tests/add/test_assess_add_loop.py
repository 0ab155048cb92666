"""assess -> add: every remediation that names `genaiops add CAPABILITY` names a command that
is not refused on that repository, and running it makes the probe pass, except where the
probe waits for what only the team can write (a real golden set, a recorded baseline, prompt
files for the gate to cover)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from shapes import commit

from generator.assess.run import assess_repo

EVAL_DATA = [
    "--data",
    'eval_target_request={"messages": [{"role": "user", "content": "{question}"}]}',
]
# pass only once the team wrote real golden rows and recorded a baseline from them
NEEDS_TEAM_DATA = {"eval.dataset_wired", "eval.baseline"}
NO_PROMPTS = "no prompt files"  # the gate covers prompt changes; these shapes have no prompts


def _failing_with_add(root: Path) -> dict[str, str]:
    report = assess_repo(root)
    return {
        r.definition.id: r.definition.add
        for d in report.dimensions
        for r in d.probes
        if r.status == "fail"
        and r.definition.add
        and not any(f.message == NO_PROMPTS for f in r.findings)
    }


@pytest.mark.parametrize("name", ["pytest-actions", "monorepo"])
def test_every_named_add_command_applies_and_fixes_its_probe(
    shape: Callable[[str], Path], cli, name: str
) -> None:
    root = shape(name)
    named = _failing_with_add(root)
    assert named, "the shape should have gaps genaiops add can close"
    for capability in sorted(set(named.values())):
        extra = EVAL_DATA if capability == "eval" else []
        result = cli("add", capability, root, "--defaults", *extra)
        assert result.code == 0, f"{capability}: {result.err}"
        commit(root, f"genaiops add {capability}")
    still = _failing_with_add(root)
    assert set(still) <= NEEDS_TEAM_DATA, still
    assert set(named) - set(still) >= set(named) - NEEDS_TEAM_DATA
