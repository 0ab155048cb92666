"""The repository's GitHub Action (action.yml): linted offline by actionlint and zizmor, pinned
to SHAs this repository already vets, and its assess script run for real on a fixture."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from assess_builder import build
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
BIN = Path(sys.executable).parent
CALLER = """name: assess
on:
  pull_request:
permissions: {}
jobs:
  assess:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - uses: ./
        with:
          fail-under: INPUT
"""


def _action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(ACTION.read_text())
    return data


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_action_passes_zizmor_offline() -> None:
    out = _run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", "--format", "plain", "action.yml"], ROOT
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No findings to report" in out.stdout + out.stderr


def test_a_caller_workflow_using_the_action_passes_actionlint(tmp_path: Path) -> None:
    shutil.copy(ACTION, tmp_path / "action.yml")
    (tmp_path / ".github/workflows").mkdir(parents=True)
    wf = tmp_path / ".github/workflows/assess.yml"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    wf.write_text(CALLER.replace("INPUT", "managed"))
    ok = _run([str(BIN / "actionlint"), "-no-color"], tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wf.write_text(CALLER.replace("fail-under: INPUT", "fail_under: managed"))
    bad = _run([str(BIN / "actionlint"), "-no-color"], tmp_path)  # actionlint reads the inputs
    assert bad.returncode == 1 and "fail_under" in bad.stdout


def test_actions_are_pinned_to_shas_this_repository_vets() -> None:
    vetted = set()
    for wf in (ROOT / "workflows").glob("*.yml"):
        vetted.update(re.findall(r"uses: ([\w./-]+@[0-9a-f]{40})", wf.read_text()))
    uses = [s["uses"] for s in _action()["runs"]["steps"] if "uses" in s]
    assert uses and all(re.search(r"@[0-9a-f]{40}$", u) for u in uses), uses
    assert set(uses) <= vetted, set(uses) - vetted


def test_inputs_reach_scripts_through_env_only() -> None:
    action = _action()
    assert {"path", "fail-under", "sarif-file", "upload-sarif"} <= set(action["inputs"])
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]  # no template injection


def test_assess_step_writes_sarif_summary_and_outputs(tmp_path: Path) -> None:
    repo = build(tmp_path / "repo")
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "assess")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "ASSESS_PATH": ".",
        "SARIF_FILE": "genaiops-assess.sarif",
        "WRITE_SUMMARY": "true",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    }
    if shutil.which("jq", path=env["PATH"]) is None:
        jq = tmp_path / "bin/jq"  # the runner has jq; this machine may not
        jq.parent.mkdir()
        jq.write_text(
            f"#!{sys.executable}\nimport json, sys\nkey = sys.argv[2].strip('.').split('.')\n"
            "doc = json.load(open(sys.argv[3]))\nfor k in key:\n    doc = doc[k]\nprint(doc)\n"
        )
        jq.chmod(0o755)
        env["PATH"] = f"{jq.parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    sarif = json.loads((repo / "genaiops-assess.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"]
    assert summary.read_text().startswith("## GenAIOps maturity: level 4")
    assert "level=4" in outputs.read_text().splitlines()
    gate = next(s for s in _action()["runs"]["steps"] if "fail-under" in s.get("if", ""))
    env["FAIL_UNDER"] = "optimized"
    assert (
        subprocess.run(["bash", "-c", gate["run"]], cwd=repo, env=env, check=False).returncode == 0
    )
    (repo / ".github/workflows/ci.yml").unlink()
    failed = subprocess.run(["bash", "-c", gate["run"]], cwd=repo, env=env, check=False)
    assert failed.returncode == 1
