"""The canary controller of a generated repo, proved on one machine.

Two revisions of the generated app run on localhost, one made faulty by configuration
(``deploy/faults.py``), behind the repo's local ingress (``deploy/ingress.py``, a weighted
proxy standing in for Container Apps). A fake ``az`` that mirrors the real CLI moves the
ingress weights and answers the App Insights query from the ingress' request log. The
controller itself (``python -m deploy.canary``) is the generated repo's, unchanged.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from canary_rig import APP, Traffic, fake_az_bin, read_state, weight_steps, write_state
from genrepo import clean_env, free_port, run_shell, serving

GATE = """
[rollout]
steps = [10, 50, 100]
min_bake_seconds = 1.5
max_wait_seconds = 20
poll_seconds = 0.5
baseline_minutes = 30
ready_timeout_seconds = 30
deactivate_previous = true

[gate]
min_requests = 20
max_error_rate = 0.02
error_rate_factor = 2.0
p95_factor = 1.5
p95_tolerance_ms = 400  # a healthy revision on a loaded 2-core runner can add ~250 ms
max_p95_ms = 10000
max_eval_drop = 0.05

[synthetic]
enabled = false  # this rehearsal brings its own traffic (the quiet-app proof uses the load)
"""


@pytest.fixture(scope="module")
def rig(generated, tmp_path_factory, cli_env):
    """The generated repo installed, three revisions serving, the ingress in front."""
    work = tmp_path_factory.mktemp("canary")
    repo = work / "repo"
    shutil.copytree(generated(), repo, symlinks=True)
    env = clean_env(cli_env)
    proc = run_shell("uv sync --quiet", repo, env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    revisions = {
        # name: fault configuration of that revision
        "stable": "FAULT_ERROR_RATE=0 FAULT_LATENCY_MS=0",
        "faulty": "FAULT_ERROR_RATE=0.3 FAULT_LATENCY_MS=900",
        "good": "FAULT_ERROR_RATE=0 FAULT_LATENCY_MS=0",
    }
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        for name, faults in revisions.items():
            port = free_port()
            command = (
                f"{faults} .venv/bin/python -m uvicorn deploy.faults:app "
                f"--host 127.0.0.1 --port {port} --no-access-log"
            )
            urls[name] = stack.enter_context(serving(command, repo, env, port))
        port = free_port()
        command = f".venv/bin/python -m deploy.ingress {port} {APP}--stable1={urls['stable']}"
        ingress = stack.enter_context(serving(command, repo, env, port))
        yield {"repo": repo, "env": env, "urls": urls, "ingress": ingress, "work": work}


def controller(rig, state_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    work: Path = rig["work"]
    config = work / "canary.toml"
    config.write_text(GATE)
    env = {
        **rig["env"],
        "PATH": f"{fake_az_bin(work / 'bin')}:{rig['env']['PATH']}",
        "FAKE_AZ_STATE": str(state_file),
        "FAKE_AZ_LOG": str(work / "az.log"),
        "AZURE_CONTAINERAPP_NAME": APP,
        "AZURE_RESOURCE_GROUP": "rg-workload",
        "AZURE_APPINSIGHTS_NAME": "appi-workload",
        "AZURE_CONTAINERAPPS_ENVIRONMENT": "cae-workload",
    }
    argv = [str(rig["repo"] / ".venv/bin/python"), "-m", "deploy.canary", "--config", str(config)]
    argv += ["--state", str(work / "canary-state.json"), *args]
    return subprocess.run(
        argv, cwd=rig["repo"], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def platform_state(rig, stable: str, stable_url: str) -> Path:
    """Azure as the fake sees it: one stable revision at 100 %, images waiting in the registry."""
    path = rig["work"] / "azure.json"
    urls = rig["urls"]
    write_state(
        path,
        app=APP,
        ingress=rig["ingress"],
        default_domain="kindocean-1234.swedencentral.azurecontainerapps.io",
        latest_ready=stable,
        revisions={stable: {"url": stable_url, "active": True, "image": "acr/app:old"}},
        traffic=[{"revisionName": stable, "weight": 100}],
        labels={},
        images={
            "acr/app:faulty": urls["faulty"],
            "acr/app:worse-answers": urls["good"],
            "acr/app:good": urls["good"],
        },
        image_eval_scores={
            "acr/app:faulty": 0.9,
            "acr/app:worse-answers": 0.7,
            "acr/app:good": 0.9,
        },
        eval_scores={stable: 0.9},
    )
    state_file = rig["work"] / "canary-state.json"
    state_file.unlink(missing_ok=True)
    (rig["work"] / "az.log").unlink(missing_ok=True)
    body = json.dumps({stable: 100}).encode()
    url = rig["ingress"] + "/_ingress/traffic"
    request = urllib.request.Request(url, data=body, method="PUT")  # noqa: S310 - loopback
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 - loopback
    return path


def ingress_weights(rig) -> dict[str, int]:
    with urllib.request.urlopen(rig["ingress"] + "/_ingress/traffic", timeout=5) as r:  # noqa: S310
        return json.loads(r.read())["weights"]


def run_canary(
    rig, azure: Path, image: str, suffix: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    with Traffic(rig["ingress"]):
        started = controller(rig, azure, "start", "--image", image, "--suffix", suffix)
        assert started.returncode == 0, started.stderr
        rolled = controller(rig, azure, "rollout")
    return started, rolled


@pytest.mark.slow
def test_faulty_revision_is_rolled_back_at_the_first_step(rig):
    stable = f"{APP}--stable1"
    azure = platform_state(rig, stable, rig["urls"]["stable"])
    _started, rolled = run_canary(rig, azure, "acr/app:faulty", "faulty1")

    assert rolled.returncode == 1, rolled.stdout + rolled.stderr
    assert "rolled back at 10 %" in rolled.stderr
    assert "error rate" in rolled.stderr and "p95 latency" in rolled.stderr
    canary = f"{APP}--faulty1"
    assert ingress_weights(rig) == {stable: 100}  # the real proxy sends nothing to the canary
    platform = read_state(azure)
    assert platform["revisions"][canary]["active"] is False
    state = read_state(rig["work"] / "canary-state.json")
    assert state["phase"] == "rolled_back"
    assert {h["weight"] for h in state["history"]} == {10}  # never reached 50 %
    assert weight_steps(rig["work"] / "az.log") == [
        [f"{stable}=100"],
        [f"{stable}=90", f"{canary}=10"],
        [f"{stable}=100", f"{canary}=0"],
    ]


@pytest.mark.slow
def test_revision_with_worse_answers_is_rolled_back_on_the_eval_score(rig):
    stable = f"{APP}--stable1"
    azure = platform_state(rig, stable, rig["urls"]["stable"])
    _, rolled = run_canary(rig, azure, "acr/app:worse-answers", "worse1")
    assert rolled.returncode == 1, rolled.stdout + rolled.stderr
    assert "eval score 0.700" in rolled.stderr
    assert "error rate" not in rolled.stderr  # it was healthy on errors and latency
    assert ingress_weights(rig) == {stable: 100}


@pytest.mark.slow
def test_healthy_revision_is_promoted_through_10_50_100(rig):
    stable = f"{APP}--stable1"
    azure = platform_state(rig, stable, rig["urls"]["stable"])
    _, rolled = run_canary(rig, azure, "acr/app:good", "good1")

    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    canary = f"{APP}--good1"
    assert ingress_weights(rig) == {canary: 100}
    state = read_state(rig["work"] / "canary-state.json")
    assert state["phase"] == "promoted"
    promoted_at = [h["weight"] for h in state["history"] if h["action"] == "promote"]
    assert promoted_at == [10, 50, 100]
    assert all(h["action"] != "rollback" for h in state["history"])
    platform = read_state(azure)
    assert platform["labels"] == {"canary": canary, "stable": canary}
    assert platform["revisions"][stable]["active"] is False  # old stable retired
    assert weight_steps(rig["work"] / "az.log") == [
        [f"{stable}=100"],
        [f"{stable}=90", f"{canary}=10"],
        [f"{stable}=50", f"{canary}=50"],
        [f"{stable}=0", f"{canary}=100"],
    ]
