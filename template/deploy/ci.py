"""The few facts delivery code needs from the CI system that runs it, under one name.

GitHub Actions and Azure Pipelines say the same things differently: the commit
(``GITHUB_SHA`` / ``BUILD_SOURCEVERSION``), the attempt of this run (``GITHUB_RUN_ATTEMPT`` /
``SYSTEM_JOBATTEMPT``), a run number, the branch, and how a step hands a value to the next
ones (a line in the ``$GITHUB_OUTPUT`` file / a ``##vso[task.setvariable]`` logging command).
The deploy scripts ask here, so the same code with the same arguments gives the same results
on both; outside CI (a laptop) nothing is written and the defaults apply.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

GITHUB = "github"
AZURE_PIPELINES = "azure_pipelines"
LOCAL = "local"


def system(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("GITHUB_ACTIONS") == "true":
        return GITHUB
    if env.get("TF_BUILD", "").lower() == "true":
        return AZURE_PIPELINES
    return LOCAL


def _first(env: Mapping[str, str], *names: str, default: str = "") -> str:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return default


def commit_sha(env: Mapping[str, str] | None = None) -> str:
    return _first(os.environ if env is None else env, "GITHUB_SHA", "BUILD_SOURCEVERSION")


def run_attempt(env: Mapping[str, str] | None = None) -> str:
    """1 on the first run, then 2, 3 ... when the same job is re-run."""
    env = os.environ if env is None else env
    return _first(env, "GITHUB_RUN_ATTEMPT", "SYSTEM_JOBATTEMPT", default="1")


def run_number(env: Mapping[str, str] | None = None) -> str:
    """A number that grows with every run of the workflow or pipeline ("" outside CI)."""
    return _first(os.environ if env is None else env, "GITHUB_RUN_NUMBER", "BUILD_BUILDID")


def branch(env: Mapping[str, str] | None = None, default: str = "main") -> str:
    env = os.environ if env is None else env
    github = env.get("GITHUB_REF_NAME", "").strip()
    if github:
        return github
    source = env.get("BUILD_SOURCEBRANCH", "").strip()  # refs/heads/<branch>, slashes kept
    if source.startswith("refs/heads/"):
        return source.removeprefix("refs/heads/")
    return default


def _vso(value: str) -> str:
    """Escape a logging-command value the way the agent unescapes it."""
    return value.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def set_outputs(
    values: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Hand values to later steps: GitHub step outputs, Azure Pipelines variables.

    GitHub: ``name=value`` lines in ``$GITHUB_OUTPUT`` (``steps.<id>.outputs.name``).
    Azure Pipelines: ``##vso[task.setvariable variable=name]value``, which later steps of the
    job see as the environment variable ``NAME``.
    """
    env = os.environ if env is None else env
    for key, value in values.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or "\n" in value:
            raise ValueError(f"cannot hand {key!r}={value!r} to later steps")
    target = env.get("GITHUB_OUTPUT")
    if target:
        with Path(target).open("a", encoding="utf-8") as sink:
            sink.writelines(f"{key}={value}\n" for key, value in values.items())
    if system(env) == AZURE_PIPELINES:
        out = stdout or sys.stdout
        for key, value in values.items():
            out.write(f"##vso[task.setvariable variable={key}]{_vso(value)}\n")
        out.flush()


def add_summary(
    markdown: str,
    name: str,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
) -> None:
    """Show Markdown on the run's page: the GitHub job summary, or an Azure Pipelines summary
    tab (``##vso[task.uploadsummary]`` takes a file, written to the agent's temp dir)."""
    env = os.environ if env is None else env
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as sink:
            sink.write(markdown if markdown.endswith("\n") else markdown + "\n")
    if system(env) == AZURE_PIPELINES:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise ValueError(f"summary name {name!r}: lower-case letters, digits and dashes")
        directory = Path(env.get("AGENT_TEMPDIRECTORY") or ".")
        path = (directory / f"{name}-summary.md").resolve()
        path.write_text(markdown, encoding="utf-8")
        out = stdout or sys.stdout
        out.write(f"##vso[task.uploadsummary]{_vso(str(path))}\n")
        out.flush()
