"""Generated repositories ship an eval harness whose data is consistent and whose gate runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from genrepo import USE_CASES, clean_env, run_shell


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("use_case", USE_CASES)
def test_thresholds_gate_the_chosen_use_case(generated, use_case: str) -> None:
    repo = generated({"use_case": use_case}, git=False)
    thresholds = yaml.safe_load((repo / "evals" / "thresholds.yaml").read_text())
    assert thresholds["suites"] == [use_case]
    section = thresholds[use_case]
    assert section["floors"] and section["regression"] and section["min_items"] >= 30
    assert (repo / section["dataset"]).is_file()
    package = next(p.name for p in (repo / "src").iterdir() if p.is_dir())
    assert f'PACKAGE = "{package}"' in (repo / "eval" / "_package.py").read_text()


def test_golden_data_is_large_enough_and_consistent_with_the_documents(generated) -> None:
    repo = generated(git=False)
    data = repo / "data" / "eval"
    docs = repo / "data" / "docs"
    files = [p for p in docs.rglob("*") if p.is_file()]
    doc_ids = {p.relative_to(docs).with_suffix("").as_posix() for p in files}
    corpus = {r["_id"] for r in jsonl(data / "corpus.jsonl")}
    assert corpus == doc_ids, "corpus.jsonl must list exactly the documents under data/docs"
    queries = {r["_id"]: r["text"] for r in jsonl(data / "queries.jsonl")}
    rows = [line.split("\t") for line in (data / "qrels.tsv").read_text().splitlines()]
    assert rows[0] == ["query-id", "corpus-id", "score"]
    qrels: dict[str, set[str]] = {}
    for qid, doc, _score in rows[1:]:
        assert qid in queries and doc in corpus
        qrels.setdefault(qid, set()).add(doc)
    rag = jsonl(data / "rag_chat.jsonl")
    assert len(rag) >= 30
    for record in rag:
        assert set(record["cited_doc_ids"]) <= qrels.get(record["id"], set())
        if record["id"] in queries:
            assert queries[record["id"]] == record["question"]
    assert any(not r["answerable"] for r in rag)
    assert len(jsonl(data / "summarization.jsonl")) >= 30
    classification = jsonl(data / "classification.jsonl")
    configured = yaml.safe_load((repo / "data" / "categories.yaml").read_text())["categories"]
    categories = {c["name"] for c in configured}
    assert len(classification) >= 30
    assert {r["label"] for r in classification} <= categories | {"other"}
    assert sum(1 for r in classification if r.get("new_category")) >= 5


def test_baseline_holds_per_item_scores_for_every_suite(generated) -> None:
    repo = generated(git=False)
    scores = jsonl(repo / "evals" / "baseline" / "local" / "scores.jsonl")
    assert {r["suite"] for r in scores} == set(USE_CASES)
    assert all(r["metrics"] for r in scores)


@pytest.mark.parametrize("use_case", USE_CASES)
def test_the_offline_baseline_matches_what_each_variant_runs(generated, use_case: str) -> None:
    """One shipped baseline serves every use case: same producer, same prompt files."""
    repo = generated({"use_case": use_case}, git=False)
    config = json.loads((repo / "evals" / "baseline" / "local" / "config.json").read_text())
    assert config["producer"]["provider"] == "local"
    assert config["producer"]["embedding"]["dimensions"] == 512  # the settings' default
    settings = next((repo / "src").glob("*/settings.py")).read_text()
    assert "embedding_dimensions: int = Field(default=512" in settings
    for recorded in config["prompt_files"].values():
        data = (repo / "prompts" / recorded["file"]).read_bytes()
        assert recorded["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.slow
def test_make_eval_gate_passes_and_records_the_run(generated, fresh_copy, cli_env, tmp_path):
    repo = fresh_copy(generated())
    results = tmp_path / "results"
    cache = str(tmp_path / "c.sqlite")
    env = clean_env(cli_env, EVAL_RESULTS_DIR=str(results), EVAL_CACHE_PATH=cache)
    proc = run_shell("make eval", repo, env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "## Eval gate: PASSED" in proc.stdout
    (run,) = list(results.iterdir())
    assert {p.name for p in run.iterdir()} >= {"config.json", "eval_results.jsonl", "summary.json"}
    # the app rejects every question longer than 20 characters: errored rows fail the gate
    broken = run_shell("make eval VARIANT=max_question_chars=20", repo, env)
    assert broken.returncode != 0
    assert "## Eval gate: FAILED" in broken.stdout
