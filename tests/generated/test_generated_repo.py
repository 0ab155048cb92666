"""The generated repository is a product: its README's two commands work on a fresh machine,
for every use case. One install per use case serves both commands (the uv cache is shared)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from genrepo import USE_CASES, clean_env, free_port, get_json, readme_commands, run_shell, serving

QUESTION = "How many days do customers have to return an item?"


def post_json(url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - a server on localhost
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost
        return response.status, json.loads(response.read().decode())


@pytest.mark.slow
@pytest.mark.parametrize("use_case", USE_CASES)
def test_readme_commands_test_and_serve_each_use_case(use_case, generated, fresh_copy, cli_env):
    repo = fresh_copy(generated({"use_case": use_case}))
    commands = readme_commands(repo)
    env = clean_env(cli_env, APP_TELEMETRY_EXPORTER="none")

    proc = run_shell(commands["test"], repo, env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout

    port = free_port()
    with serving(f"{commands['run']} PORT={port}", repo, env, port) as base:
        status, health = get_json(base + "/health")
        ready_status, ready = get_json(base + "/ready")
        chat_status, answer = post_json(base + "/chat", {"question": QUESTION})
        if use_case == "summarization":
            _, result = post_json(base + "/summarize", {"doc_id": "reports/2025-customer-survey"})
            assert "4.3 out of 5" in str(result["summary"])
        if use_case == "classification":
            entry = {"text": "Carrier API returned 503 for a shipping label"}
            _, result = post_json(base + "/classify", entry)
            assert result["label"] == "shipping"
    assert (status, health["status"]) == (200, "ok")
    assert ready_status == 200 and ready["chunks"] > 30
    assert chat_status == 200
    assert "45 days" in str(answer["answer"])
    citations = answer["citations"]
    assert isinstance(citations, list) and citations[0]["doc_id"] == "policies/returns"
    # make run ingested into the repo and wrote the manifest the eval harness cites
    manifest = json.loads((repo / "data" / "index" / "manifest.json").read_text())
    assert manifest["totals"]["documents"] == 30
