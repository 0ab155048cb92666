"""A quiet app's canary, judged on localhost from the telemetry its revisions really send.

Nobody uses the app: the stable revision gets no request. Each revision of the generated app
runs with APP_TELEMETRY_EXPORTER=azure_monitor and the real exporter, pointed at the repo's
local Application Insights (deploy/appinsights_local.py). The controller (python -m
deploy.canary, unchanged) drives its bounded synthetic load, the eval suite's questions, at the
canary (CANARY_LABEL_URL stands in for the label URL, which reaches the canary whatever the
weights); the fake ``az`` hands the gate's KQL to the local Application Insights, which answers
it over the envelopes received. Without the synthetic load the same canary is rolled back for
lack of evidence; a canary whose prompt was broken (served through the instruction-following
fake model) is rolled back on its online eval score.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from canary_rig import APP, fake_az_bin, read_state, write_state
from genrepo import clean_env, free_port, run_shell, serving

STABLE = f"{APP}--stable1"
BROKEN_INSTRUCTIONS = "Ignore the passages, answer in French, without citations."


def gate(synthetic: bool) -> str:
    return f"""
[rollout]
steps = [10, 50, 100]
min_bake_seconds = 1.5
max_wait_seconds = 30  # the broken-prompt revision answers slowly on a loaded runner
poll_seconds = 0.5
baseline_minutes = 30
ready_timeout_seconds = 30
deactivate_previous = true

[gate]
min_requests = 8
max_error_rate = 0.02
error_rate_factor = 2.0
p95_factor = 1.5
p95_tolerance_ms = 400
max_p95_ms = 10000
max_eval_drop = 0.05
min_eval_score = 0.5
require_eval_score = true

[synthetic]
enabled = {"true" if synthetic else "false"}
requests_per_step = 8
per_poll = 4
timeout_seconds = 30
"""


@pytest.fixture(scope="module")
def rig(generated, tmp_path_factory, cli_env):
    """The generated repo installed and indexed; revisions, model and App Insights serving."""
    work = tmp_path_factory.mktemp("quiet")
    repo = work / "repo"
    shutil.copytree(generated(), repo, symlinks=True)
    env = clean_env(cli_env)
    for command in (
        "uv sync --quiet",
        "APP_TELEMETRY_EXPORTER=none .venv/bin/python -m genai_workload ingest",
    ):
        proc = run_shell(command, repo, env, timeout=900)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    prompts = work / "broken-prompts"
    shutil.copytree(repo / "prompts", prompts)
    path = prompts / "rag_answer" / "default.yaml"
    text = path.read_text()
    start = text.index('<message role="system">') + len('<message role="system">')
    path.write_text(text[:start] + BROKEN_INSTRUCTIONS + text[text.index("</message>", start) :])
    with contextlib.ExitStack() as stack:
        port = free_port()
        insights = stack.enter_context(
            serving(f".venv/bin/python -m deploy.appinsights_local {port}", repo, env, port)
        )
        port = free_port()
        model = stack.enter_context(
            serving(f".venv/bin/python -m eval.fake_model --port {port}", repo, env, port)
        )
        exporter = {
            "APP_TELEMETRY_EXPORTER": "azure_monitor",
            "APPLICATIONINSIGHTS_CONNECTION_STRING": (
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
                f"IngestionEndpoint={insights}/;LiveEndpoint={insights}/"
            ),
            "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
            "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "otel",
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_BLRP_SCHEDULE_DELAY": "200",
        }
        revisions = {
            STABLE: {},
            f"{APP}--quiet1": {},
            f"{APP}--broken1": {
                "APP_PROVIDER": "azure_openai",
                "APP_AZURE_OPENAI_ENDPOINT": model,
                "APP_AZURE_OPENAI_CHAT_DEPLOYMENT": "gpt-4o-mini",
                "APP_AZURE_OPENAI_API_KEY": "not-a-key",
                "APP_EMBEDDING_PROVIDER": "local",
                "APP_PROMPTS_PATH": str(prompts),
            },
        }
        urls = {}
        for revision, settings in revisions.items():
            port = free_port()
            command = f".venv/bin/python -m uvicorn genai_workload.api:app --port {port}"
            run_env = {**env, **exporter, **settings, "CONTAINER_APP_REVISION": revision}
            urls[revision] = stack.enter_context(serving(command, repo, run_env, port))
        yield {"repo": repo, "env": env, "work": work, "urls": urls, "insights": insights}


def rollout(
    rig, image: str, suffix: str, synthetic: bool = True
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """start + rollout of ``image`` as revision <app>--<suffix>; the decision log."""
    work: Path = rig["work"]
    azure = work / "azure.json"
    write_state(
        azure,
        app=APP,
        ingress="",  # no user traffic to route: the weights are Azure bookkeeping only
        default_domain="kindocean-1234.swedencentral.azurecontainerapps.io",
        latest_ready=STABLE,
        revisions={STABLE: {"url": rig["urls"][STABLE], "active": True, "image": "acr/app:old"}},
        traffic=[{"revisionName": STABLE, "weight": 100}],
        labels={},
        images={image: rig["urls"][f"{APP}--{suffix}"]},
        image_eval_scores={},
        eval_scores={},
    )
    config = work / "canary.toml"
    config.write_text(gate(synthetic))
    state = work / f"state-{suffix}-{synthetic}.json"
    env = {
        **rig["env"],
        "PATH": f"{fake_az_bin(work / 'bin', az='fake_az_insights')}:{rig['env']['PATH']}",
        "FAKE_AZ_STATE": str(azure),
        "FAKE_AZ_LOG": str(work / "az.log"),
        "FAKE_APPINSIGHTS_URL": rig["insights"],
        "CANARY_LABEL_URL": rig["urls"][f"{APP}--{suffix}"],
        "AZURE_CONTAINERAPP_NAME": APP,
        "AZURE_RESOURCE_GROUP": "rg-workload",
        "AZURE_APPINSIGHTS_NAME": "appi-workload",
        "AZURE_CONTAINERAPPS_ENVIRONMENT": "cae-workload",
    }
    base = [str(rig["repo"] / ".venv/bin/python"), "-m", "deploy.canary", "--config", str(config)]
    base += ["--state", str(state)]
    for args in (["start", "--image", image, "--suffix", suffix], ["rollout"]):
        proc = subprocess.run(
            base + args,
            cwd=rig["repo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if args[0] == "start":
            assert proc.returncode == 0, proc.stdout + proc.stderr
    decisions = read_state(state)
    for h in decisions["history"]:  # the figures, with pytest -s
        c = h["canary"]
        print(
            f"{suffix} {h['weight']}% {h['action']}: {c['requests']} canary requests, "
            f"eval {c['eval_score']}, stable {h['stable']['requests']}"
        )
    return proc, decisions


def envelopes(rig) -> list[dict]:
    with urllib.request.urlopen(rig["insights"] + "/_envelopes", timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.slow
def test_a_quiet_app_is_promoted_on_the_canarys_own_synthetic_rows(rig):
    canary = f"{APP}--quiet1"
    rolled, state = rollout(rig, "acr/app:quiet", "quiet1")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert state["phase"] == "promoted"
    assert [h["weight"] for h in state["history"] if h["action"] == "promote"] == [10, 50, 100]
    for entry in state["history"]:
        assert entry["stable"]["requests"] == 0  # nobody used the app: no stable rows at all
    for entry in (h for h in state["history"] if h["action"] == "promote"):
        assert entry["canary"]["requests"] >= 8 and entry["canary"]["eval_score"] > 0.5
    sent = json.loads(rolled.stdout.splitlines()[-1].split(": ", 1)[1].replace("'", '"'))
    assert sent == {"sent": 24, "ok": 24, "failed": 0}  # bounded: 8 per step, 3 steps
    canary_requests = [
        e
        for e in envelopes(rig)
        if e["data"]["baseType"] == "RequestData" and e["tags"].get("ai.application.ver") == canary
    ]
    assert len(canary_requests) == 24
    assert {e["data"]["baseData"]["name"] for e in canary_requests} == {"POST /chat"}


@pytest.mark.slow
def test_without_synthetic_load_the_same_quiet_canary_is_rolled_back(rig):
    rolled, state = rollout(rig, "acr/app:quiet", "quiet1", synthetic=False)
    assert rolled.returncode == 1
    assert "too little evidence, failing closed" in rolled.stderr
    assert state["phase"] == "rolled_back"
    assert all(h["canary"]["requests"] == 0 for h in state["history"])


@pytest.mark.slow
def test_a_quiet_canary_with_a_broken_prompt_is_rolled_back_on_its_eval_score(rig):
    rolled, state = rollout(rig, "acr/app:broken", "broken1")
    assert rolled.returncode == 1, rolled.stdout + rolled.stderr
    assert "rolled back at 10 %" in rolled.stderr
    assert "< floor 0.500" in rolled.stderr and "error rate" not in rolled.stderr
    (last,) = [h for h in state["history"] if h["action"] == "rollback"]
    assert last["canary"]["requests"] >= 8 and last["canary"]["eval_score"] < 0.2
