"""The generated repository is a product: its README's two commands work on a fresh machine."""

from __future__ import annotations

import pytest
from genrepo import clean_env, free_port, get_json, readme_commands, run_shell, serving


@pytest.mark.slow
def test_default_repo_passes_its_own_readme_test_command(generated, fresh_copy, cli_env):
    repo = fresh_copy(generated())
    commands = readme_commands(repo)
    proc = run_shell(commands["test"], repo, clean_env(cli_env))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout
    assert " failed" not in proc.stdout


@pytest.mark.slow
def test_default_repo_serves_health_with_its_readme_run_command(generated, fresh_copy, cli_env):
    repo = fresh_copy(generated())
    command = readme_commands(repo)["run"]
    port = free_port()
    with serving(f"{command} PORT={port}", repo, clean_env(cli_env), port) as base:
        status, body = get_json(base + "/health")
    assert status == 200
    assert body["status"] == "ok"
