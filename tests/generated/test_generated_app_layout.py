"""Fast checks of the rendered workload (no install): the contract other layers build on exists,
every Python file compiles, and the data the eval harness cites is there."""

from __future__ import annotations

import py_compile

import pytest
from genrepo import USE_CASES

CONTRACT = (
    "settings.py", "models.py", "orchestrator.py", "api.py", "providers.py", "guardrails.py",
    "telemetry.py", "prompts.py", "retrieval/ingest.py", "retrieval/store.py",
)  # fmt: skip
METHODS = ("def from_settings", "async def chat", "async def summarize", "async def classify",
           "async def retrieve")  # fmt: skip


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
