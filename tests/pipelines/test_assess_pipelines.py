"""`genaiops assess` reads the Azure Pipelines of a generated repository as delivery evidence:
the azure_devops variant scores delivery as high as the GitHub one, and the same pipelines
gamed (``continueOnError``, ``|| true``, a condition that never runs) do not score.

The Azure Pipelines reader is the assess engine's (generator/assess/pipelines.py); until it is
in this tree the test skips, naming the module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("generator.assess.pipelines", reason="the Azure Pipelines reader of assess")

GAMES = {
    "continueOnError": [
        (
            "ci.azure-pipelines.yml",
            "        displayName: eval gate (fails below the thresholds in the repo)\n",
            "        displayName: eval gate (fails below the thresholds in the repo)\n"
            "        continueOnError: true\n",
        ),
        (
            "deploy.azure-pipelines.yml",
            "            displayName: offline eval gate\n",
            "            displayName: offline eval gate\n            continueOnError: true\n",
        ),
    ],
    "or-true": [
        (
            "ci.azure-pipelines.yml",
            "make -s eval | tee reports/eval-summary.md\n",
            "make -s eval | tee reports/eval-summary.md || true\n",
        ),
        ("deploy.azure-pipelines.yml", "- bash: make eval\n", "- bash: make eval || true\n"),
    ],
    "never-runs": [
        (
            "ci.azure-pipelines.yml",
            "        displayName: eval gate (fails below the thresholds in the repo)\n",
            "        displayName: eval gate (fails below the thresholds in the repo)\n"
            "        condition: false\n",
        ),
        (
            "deploy.azure-pipelines.yml",
            "            displayName: offline eval gate\n",
            "            displayName: offline eval gate\n            condition: eq(1, 2)\n",
        ),
    ],
}


def assess(run_cli, repo: Path) -> dict[str, dict]:
    proc = run_cli("assess", str(repo), "--format", "json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {d["id"]: d for d in json.loads(proc.stdout)["dimensions"]}


@pytest.mark.slow
def test_azure_pipelines_score_delivery_like_the_github_workflows(generated, run_cli):
    github = assess(run_cli, generated({"ci": "github"}))
    azure = assess(run_cli, generated({"ci": "azure_devops"}))
    assert github["delivery"]["level"] == 4  # the reference: every delivery probe passes
    assert (azure["delivery"]["level"], azure["delivery"]["score"]) == (
        github["delivery"]["level"],
        github["delivery"]["score"],
    )
    assert azure["evaluation"]["level"] == github["evaluation"]["level"]
    cited = {f["location"]["path"] for f in azure["delivery"]["findings"] if f.get("location")}
    assert any(p.startswith(".azure-pipelines/") for p in cited), cited


@pytest.mark.slow
@pytest.mark.parametrize("game", list(GAMES))
def test_gamed_pipelines_do_not_score(generated, run_cli, tmp_path, game):
    repo = shutil.copytree(generated({"ci": "azure_devops"}), tmp_path / "gamed", symlinks=True)
    for name, old, new in GAMES[game]:
        path = repo / ".azure-pipelines" / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))
    honest = assess(run_cli, generated({"ci": "azure_devops"}))
    gamed = assess(run_cli, repo)
    assert gamed["delivery"]["score"] < honest["delivery"]["score"]
    assert gamed["delivery"]["level"] < honest["delivery"]["level"]
    failed = {f["probe"] for f in gamed["delivery"]["findings"] if f["outcome"] != "pass"}
    assert "delivery.deploy_needs_eval" in failed
