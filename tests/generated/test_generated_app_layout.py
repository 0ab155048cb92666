"""Fast checks of the rendered workload (no install): the contract other layers build on exists,
every Python file compiles, and the data the eval harness cites is there."""

from __future__ import annotations

import py_compile

import pytest
from genrepo import USE_CASES

CONTRACT = (
    "settings.py",
    "models.py",
    "orchestrator.py",
    "api.py",
    "providers.py",
    "guardrails.py",
    "telemetry.py",
    "prompts.py",
    "retrieval/ingest.py",
    "retrieval/store.py",
    "store/base.py",
    "store/sqlite.py",
    "store/azure_tables.py",
    "sessions.py",
    "web/index.html",
    "web/app.js",
    "web/app.css",
)
METHODS = (
    "def from_settings",
    "async def chat",
    "async def summarize",
    "async def classify",
    "async def retrieve",
    "async def prepare_chat",
    "async def stream_answer",
)
# files other engineers own still carry hand-compacted lines; the app's files must not
FMT_SKIP_ALLOWED = ("telemetry.py", "deploy/", "tests/test_deploy_")


@pytest.mark.parametrize("use_case", USE_CASES)
def test_rendered_app_compiles_and_keeps_the_contract(use_case, generated, tmp_path):
    repo = generated({"use_case": use_case})
    package = repo / "src" / "genai_workload"
    for name in CONTRACT:
        assert (package / name).is_file(), name
    sources = sorted(p for p in repo.rglob("*.py") if ".venv" not in p.parts)
    assert len(sources) > 25
    for index, path in enumerate(sources):
        py_compile.compile(str(path), cfile=str(tmp_path / f"{index}.pyc"), doraise=True)
    assert f'DEFAULT_USE_CASE = "{use_case}"' in (package / "__init__.py").read_text()
    orchestrator = (package / "orchestrator.py").read_text()
    for method in METHODS:
        assert method in orchestrator


def test_sample_data_covers_every_loader_format(generated):
    docs = generated() / "data" / "docs"
    suffixes = {p.suffix for p in docs.rglob("*") if p.is_file()}
    assert suffixes == {".md", ".txt", ".html", ".pdf"}
    assert len([p for p in docs.rglob("*") if p.is_file()]) >= 25
    assert (docs / "policies" / "returns.md").is_file()
    assert (docs.parent / "categories.yaml").is_file()
    assert (docs.parent / "logs" / "sample.jsonl").is_file()
    assert (docs / "hr" / "benefits-summary.pdf").read_bytes().startswith(b"%PDF-")


def test_the_formatter_decides_in_the_app_files(repo_root):
    """No ``# fmt: skip`` in the app, its tests and benches (issue 14)."""
    template = repo_root / "template"
    offenders = [
        path.relative_to(template).as_posix()
        for path in template.rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".jinja")
        and "# fmt: skip" in path.read_text(encoding="utf-8", errors="replace")
        and not any(part in path.as_posix() for part in FMT_SKIP_ALLOWED)
    ]
    assert offenders == []


def test_the_devcontainer_has_the_tools_and_runs_the_tests(generated):
    import json

    config = json.loads((generated() / ".devcontainer" / "devcontainer.json").read_text())
    features = " ".join(config["features"])
    for tool in ("features/python", "azure-cli", "azure-dev/azd", "github-cli"):
        assert tool in features, tool
    assert config["features"]["ghcr.io/devcontainers/features/python:1"]["toolsToInstall"] == "uv"
    assert "make test" in config["postCreateCommand"]
    assert "make" in config["postCreateCommand"].split("install", 1)[1]
