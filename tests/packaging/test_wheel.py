"""An installed genaiops carries its template and works with the network unreachable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    uv = shutil.which("uv")
    cmd = (
        [uv, "build", "--wheel", "--out-dir", str(out)]
        if uv
        else [sys.executable, "-m", "build", "--wheel", "--outdir", str(out)]
    )
    subprocess.run(cmd, cwd=REPO_ROOT, check=True, capture_output=True, text=True)
    wheels = list(out.glob("genaiops-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.mark.slow
def test_wheel_carries_template_workflows_iac_and_maturity(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    root = "generator/_data/template_root/"
    assert root + "copier.yml" in names
    for part in ("template/", "workflows/", "pipelines/", "iac/"):
        assert any(n.startswith(root + part) for n in names), part
    assert any(n.startswith("generator/_data/maturity/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.slow
def test_installed_wheel_scaffolds_offline(wheel, tmp_path, cli_env):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    install = (
        [uv, "pip", "install", "--python", str(python), str(wheel)]
        if uv
        else [str(python), "-m", "pip", "install", "--quiet", str(wheel)]
    )
    subprocess.run(install, check=True, capture_output=True, text=True, env=cli_env)
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare -n (root) to cut the network")
    dest = tmp_path / "offline-project"
    # a new network namespace has only a loopback device that is down: nothing is reachable
    proc = subprocess.run(
        ["unshare", "-n", str(venv / "bin" / "genaiops"), "new", str(dest), "--defaults"],
        capture_output=True,
        text=True,
        env=cli_env,
        stdin=subprocess.DEVNULL,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (dest / ".copier-answers.yml").is_file()
    assert (dest / "README.md").read_text().startswith("# GenAI Workload")
    assert not list(dest.rglob("__pycache__"))
    assert (
        subprocess.run(
            ["git", "-C", str(dest), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == ""
    )
