"""``genaiops new`` without answers asks Copier's questions in a real terminal."""

from __future__ import annotations

import re
import sys

import pexpect
import pytest
from ruamel.yaml import YAML

from generator.questions import load_questions

KILL_LINE = "\x15"  # Ctrl-U clears the pre-filled default
DOWN = "\x1b[B"


def help_text(repo_root, question):
    config = load_questions(repo_root)  # copier.yml with its !include (the use cases) resolved
    return re.escape(config[question]["help"])


@pytest.mark.slow
def test_questions_are_asked_and_answers_recorded(repo_root, tmp_path, cli_env):
    dest = tmp_path / "asked"
    env = {**cli_env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "generator", "new", str(dest), "--no-git"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    try:
        child.expect(help_text(repo_root, "project_name"))
        child.send(KILL_LINE + "Support Bot\r")
        child.expect(help_text(repo_root, "project_slug"))
        child.send("\r")  # keep the slug derived from the name
        child.expect(help_text(repo_root, "description"))
        child.send("\r")
        child.expect(help_text(repo_root, "use_case"))
        child.send(DOWN + "\r")  # the second choice: summarization
        for question in ("iac", "iac_profile", "gateway"):
            child.expect(help_text(repo_root, question))
            child.send("\r")
        child.expect(help_text(repo_root, "ci"))
        child.send(DOWN + "\r")  # the second choice: Azure DevOps Pipelines
        for question in ("azure_location", "owner"):
            child.expect(help_text(repo_root, question))
            child.send("\r")
        child.expect(help_text(repo_root, "python_version"))
        child.send("\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    answers = YAML(typ="safe").load((dest / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Support Bot"
    assert answers["project_slug"] == "support_bot"
    assert answers["use_case"] == "summarization"
    assert answers["iac"] == "bicep"
    assert answers["ci"] == "azure_devops"
