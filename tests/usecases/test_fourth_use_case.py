"""A fourth use case, added as docs/adding-a-use-case.md says (one entry, its prompt folder, its
dataset, its handler, the baseline recorded once), renders into a repository whose own tests,
eval gate and API serve it.

The fixture, tests/fixtures/fourth_use_case/, holds exactly the files the page shows; the
template is a copy of this one with those files added. One rendering, one install.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from genrepo import (
    clean_env,
    copy_template_root,
    free_port,
    genaiops,
    get_json,
    readme_commands,
    run_shell,
    serving,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "fourth_use_case"
DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-a-use-case.md"
ENTRY = yaml.safe_load((FIXTURE / "use_cases.entry.yml").read_text())[0]
BASELINE = Path("evals") / "baseline" / "local"
PACKAGE = "genai_workload"  # the default project name's package


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_page_shows_the_fixture_files_as_they_are() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- fixture: (\S+) -->\n```\w+\n(.*?)```", text, re.DOTALL)
    assert {name for name, _ in blocks} == {
        "use_cases.entry.yml",
        "template/prompts/headline/default.yaml",
        "template/src/{{project_slug}}/headline.py",
    }
    for name, shown in blocks:
        assert shown == (FIXTURE / name).read_text(encoding="utf-8"), name
    assert "tests/usecases/test_fourth_use_case.py" in text


@pytest.fixture(scope="module")
def template_with_headline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Steps 1-4 of the page on a copy of this template: the entry appended, the files added."""
    root = copy_template_root(tmp_path_factory.mktemp("template-root"))
    with (root / "use_cases.yml").open("a", encoding="utf-8") as registry:
        registry.write((FIXTURE / "use_cases.entry.yml").read_text(encoding="utf-8"))
    shutil.copytree(FIXTURE / "template", root / "template", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return clean_env(cli_env, APP_TELEMETRY_EXPORTER="none")


@pytest.fixture(scope="module")
def headline_repo(
    template_with_headline: Path, tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> Path:
    """Step 5: render it with use_case=headline and record the baseline of all suites there
    (the page then copies it into the template; the rendered repository is what is tested)."""
    dest = tmp_path_factory.mktemp("headline") / "headline-demo"
    template = str(template_with_headline)
    new = ["new", str(dest), "--template", template, "--defaults", "--data", "use_case=headline"]
    proc = genaiops(new, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    baseline = run_shell("uv run --group eval python -m eval baseline --all-suites", dest, env)
    assert baseline.returncode == 0, baseline.stdout[-3000:] + baseline.stderr[-3000:]
    return dest


@pytest.mark.slow
def test_the_registry_and_the_gate_name_the_new_use_case(headline_repo: Path) -> None:
    registry = json.loads((headline_repo / "src" / PACKAGE / "use_cases.json").read_text())
    assert list(registry) == ["rag_chat", "summarization", "classification", "headline"]
    assert registry["headline"] == {"title": ENTRY["title"], **ENTRY["app"]}
    thresholds = yaml.safe_load((headline_repo / "evals" / "thresholds.yaml").read_text())
    assert thresholds["suites"] == ["headline"] and thresholds["headline"] == ENTRY["eval"]
    answers = yaml.safe_load((headline_repo / ".copier-answers.yml").read_text())
    assert answers["use_case"] == "headline"
    # search: false, as classification: no Azure AI Search, no index refresh workflow
    assert not (headline_repo / "infra" / "modules" / "search.bicep").exists()
    assert not (headline_repo / ".github" / "workflows" / "refresh-index.yml").exists()
    readme = (headline_repo / "README.md").read_text()
    assert "curl -s localhost:8000/headline " in readme
    assert (
        ENTRY["docs"]["intended_use"] in (headline_repo / "docs" / "responsible-ai.md").read_text()
    )


@pytest.mark.slow
def test_the_baseline_adds_the_suite_and_keeps_the_other_suites_scores(
    headline_repo: Path, repo_root: Path
) -> None:
    shipped = jsonl(repo_root / "template" / BASELINE / "scores.jsonl")
    recorded = jsonl(headline_repo / BASELINE / "scores.jsonl")
    assert [r for r in recorded if r["suite"] != "headline"] == shipped  # deterministic offline
    rows = [r for r in recorded if r["suite"] == "headline"]
    dataset = jsonl(headline_repo / ENTRY["eval"]["dataset"])
    assert {r["item_id"] for r in rows} == {r["id"] for r in dataset}
    summary = json.loads((headline_repo / BASELINE / "summary.json").read_text())
    checks = [c for c in summary["checks"] if c["suite"] == "headline"]
    floors = {c["metric"] for c in checks if c["kind"] == "floor"}
    assert floors == set(ENTRY["eval"]["floors"]) and all(c["passed"] for c in checks), checks


@pytest.mark.slow
def test_the_generated_repositorys_checks_pass_with_it(headline_repo: Path, env) -> None:
    """Its lint, type check and the tests that read the registry: test_app_use_cases.py runs the
    headline route, settings and eval suite with every other entry's; the OpenAPI and canary
    tests see its route. (The whole generated suite runs for the shipped use cases in
    tests/generated; here it would cost CI minutes for the same code.)"""
    proc = run_shell("make lint typecheck", headline_repo, env)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    listed = run_shell(
        "uv run pytest -q --no-cov -n 2 -rA tests/test_app_use_cases.py tests/test_app_openapi.py"
        " tests/test_deploy_controller.py",
        headline_repo,
        env,
    )
    assert " failed" not in listed.stdout, listed.stdout[-3000:]
    assert listed.returncode == 0, listed.stdout[-3000:]
    passed = re.findall(r"^PASSED .*\[headline\]$", listed.stdout, re.MULTILINE)
    assert len(passed) == 4, listed.stdout[-3000:]  # route, OpenAPI, APP_USE_CASE, eval suite


@pytest.mark.slow
def test_the_eval_gate_runs_the_new_suite_and_can_fail(
    headline_repo: Path, env, tmp_path: Path
) -> None:
    gate_env = {**env, "EVAL_RESULTS_DIR": str(tmp_path / "results")}
    gate_env["EVAL_CACHE_PATH"] = str(tmp_path / "cache.sqlite")
    proc = run_shell("make eval", headline_repo, gate_env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "## Eval gate: PASSED" in proc.stdout
    assert "### headline: n=12" in proc.stdout and "### summarization" not in proc.stdout
    # texts over 20 characters are refused: every row errors, and the gate fails on it
    broken = run_shell("make eval VARIANT=max_text_chars=20", headline_repo, gate_env)
    assert broken.returncode != 0 and "## Eval gate: FAILED" in broken.stdout


@pytest.mark.slow
def test_the_api_serves_it_by_text_and_by_document(headline_repo: Path, env) -> None:
    port = free_port()
    command = readme_commands(headline_repo)["run"]
    with serving(f"{command} PORT={port}", headline_repo, env, port) as base:
        info_status, info = get_json(base + "/info")
        by_doc = post_json(base + "/headline", {"doc_id": "reports/2025-customer-survey"})
        text = "Returns are accepted within 45 days of delivery. Rewards members get 60 days."
        by_text = post_json(base + "/headline", {"text": text})
    assert info_status == 200 and "POST /headline" in info["endpoints"]
    assert info["use_case"] == "headline"
    assert by_doc[0] == 200 and by_doc[1]["prompt_id"] == "headline"
    # the offline model is extractive: the headline is made of the named document's sentences
    document = (headline_repo / "data" / "docs" / "reports" / "2025-customer-survey.md").read_text()
    sentences = re.split(r"(?<=[.!?])\s+", by_doc[1]["headline"].strip())
    assert sentences[0] and all(s in document for s in sentences), by_doc[1]
    assert by_text[0] == 200 and "45 days" in by_text[1]["headline"], by_text[1]


def post_json(url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - a server on localhost
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost
        return response.status, json.loads(response.read().decode())
