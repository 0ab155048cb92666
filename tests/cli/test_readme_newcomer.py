"""The newcomer's first commands: the README's "Two commands", from a fresh clone, as written.

The commands are read from README.md itself, so the test follows whatever the README says.
Two are not run: ``pip install uv`` (uv is already here) and the project's own test suite (this
test is part of it). The clone is of the committed HEAD: run it on a committed tree.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from genrepo import clean_env, run_shell

REPO_ROOT = Path(__file__).resolve().parents[2]


def readme_steps() -> tuple[list[str], str]:
    """The bash block under "Two commands" (comments dropped) and the "Then `...`" next step."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]
    then = re.search(r"Then `([^`]+)`", section)
    assert then, "the README names no next step"
    return commands, then.group(1)


def test_the_readme_names_its_steps() -> None:
    commands, then = readme_steps()
    assert any(" new " in c for c in commands) and any("pytest" in c for c in commands)
    assert then.startswith("cd ")


@pytest.mark.slow
def test_readme_from_a_fresh_clone_leaves_it_clean_and_makes_a_repository(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    commands, then = readme_steps()
    clone = tmp_path / "genaiops"
    subprocess.run(
        ["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True, capture_output=True
    )
    env = clean_env(cli_env)
    env.pop("UV", None)
    ran = []
    for command in commands:
        words = shlex.split(command)
        if words[-2:] == ["install", "uv"] or "pytest" in words:
            continue  # uv is installed; the suite is what runs this test
        proc = run_shell(command, clone, env)
        assert proc.returncode == 0, (command, proc.stdout[-2000:], proc.stderr[-2000:])
        ran.append(command)
    assert any(" new " in c for c in ran)

    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == "", "the README's commands left the genaiops checkout dirty"

    target = then.split("&&", 1)[0].removeprefix("cd ").strip()
    demo = (clone / target).resolve()
    assert demo.is_dir() and (demo / ".git").is_dir(), "the demo is not a repository of its own"
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=demo, capture_output=True, text=True
    )
    assert Path(top.stdout.strip()) == demo
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=demo, capture_output=True, text=True
    )
    assert count.stdout.strip() == "1"

    # the next step from where the newcomer stands: its make target resolves there (make -n);
    # tests/generated runs that repository's whole `make test` for the same default answers
    dry_run = then.replace("make test", "make -n test")
    assert dry_run != then, then
    proc = run_shell(dry_run, clone, env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "pytest" in proc.stdout
