"""A fresh machine has Python, make and git but no uv: the generated Makefile brings its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from genrepo import clean_env, run_shell


@pytest.mark.slow
def test_make_install_bootstraps_uv_when_it_is_not_on_path(
    generated, fresh_copy, cli_env, tmp_path
):
    repo = fresh_copy(generated())
    for leftover in (".venv", ".tools"):  # other tests may have installed the cached render
        shutil.rmtree(repo / leftover, ignore_errors=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    # only a python3 and the system tools: no uv, no virtualenv of ours
    (bindir / "python3").symlink_to(Path(sys.executable).resolve())
    path = os.pathsep.join([str(bindir), "/usr/local/bin", "/usr/bin", "/bin"])
    env = clean_env(cli_env, PATH=path)
    env.pop("UV", None)  # `uv run` exports UV=<its binary>, which the Makefile would honour
    if shutil.which("uv", path=path):
        pytest.skip("uv is installed system-wide here; cannot simulate a machine without it")
    assert shutil.which("make", path=path), "make is needed to run the generated repo"

    proc = run_shell("make install", repo, env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (repo / ".tools" / "bin" / "uv").is_file()
    imported = subprocess.run(
        [str(repo / ".venv" / "bin" / "python"), "-c", "import genai_workload, semantic_kernel"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    # the lock shipped with the template was used as is: installing changed no tracked file
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
