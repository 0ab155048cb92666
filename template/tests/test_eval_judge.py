"""The judge path against a local server speaking the OpenAI chat-completions wire format:
request shape, verdict parsing, retries, caching and token accounting, and the gate's view."""

import asyncio
import json
from pathlib import Path

import pytest

from eval import stub_model
from eval.cache import ResponseCache
from eval.config import JudgeConfig, load_config
from eval.evaluate import Comparison, evaluate
from eval.judge import JudgeClient, JudgeError, load_rubric
from eval.producer import Producer

VALUES = {
    "query": "How long is the return window?",
    "response": "45 days.",
    "context": "Returns: 45 days.",
}


def judge_once(
    base_url: str, cache: ResponseCache, values: dict, api_key: str = ""
) -> tuple[dict, JudgeClient]:
    client = JudgeClient(
        JudgeConfig(base_url=base_url, model="judge-model", api_key=api_key), cache, backoff_s=0.01
    )

    async def run() -> dict:
        try:
            return await client.judge(load_rubric("groundedness"), values)
        finally:
            await client.aclose()

    return asyncio.run(run()), client


def test_request_follows_the_wire_format_and_the_verdict_is_parsed(tmp_path: Path) -> None:
    with stub_model.serve(stub_model.fixed_score(4)) as stub:
        verdict, client = judge_once(
            stub.base_url, ResponseCache(tmp_path / "c.sqlite"), VALUES, api_key="k-123"
        )
    (request,) = stub.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer k-123"
    body = request["body"]
    assert body["model"] == "judge-model" and body["max_completion_tokens"] == 300
    # reasoning models (the default chat model) reject these: never sent unless configured
    assert "temperature" not in body and "max_tokens" not in body
    assert "How long is the return window?" in body["messages"][-1]["content"]
    assert "Returns: 45 days." in body["messages"][-1]["content"]
    assert (verdict["score"], verdict["passed"], verdict["cached"]) == (4, True, False)


def test_cache_reuses_verdicts_and_token_accounting_adds_up(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    with stub_model.serve(stub_model.fixed_score(2)) as stub:
        first, c1 = judge_once(stub.base_url, cache, VALUES)
        second, c2 = judge_once(stub.base_url, cache, VALUES)
        other, c3 = judge_once(stub.base_url, cache, {**VALUES, "response": "60 days."})
    assert len(stub.requests) == 2  # the repeat was served from the cache
    assert (first["passed"], second["cached"], other["cached"]) == (False, True, False)
    assert c1.usage.calls == 1 and c1.usage.total_tokens == first["usage"]["total_tokens"] > 0
    assert c1.usage.prompt_tokens + c1.usage.completion_tokens == c1.usage.total_tokens
    assert (c2.usage.calls, c2.usage.cache_hits, c2.usage.total_tokens) == (0, 1, 0)
    assert c2.usage.saved_tokens == first["usage"]["total_tokens"]
    assert c3.usage.calls == 1


def test_transient_errors_are_retried_and_bad_replies_fail(tmp_path: Path) -> None:
    replies = iter(
        [(503, "busy"), (429, "slow down"), (200, json.dumps({"score": 5, "reason": "ok"}))]
    )
    with stub_model.serve(lambda _body: next(replies)) as stub:
        verdict, _ = judge_once(stub.base_url, ResponseCache(None), VALUES)
    assert verdict["score"] == 5 and len(stub.requests) == 3
    for reply in [(200, "I think it is fine"), (200, '{"score": 9}'), (400, "bad request")]:
        with stub_model.serve(lambda _body, r=reply: r) as stub, pytest.raises(JudgeError):
            judge_once(stub.base_url, ResponseCache(None), VALUES)
        assert len(stub.requests) == 1  # not retried


class CannedTarget:
    """A stand-in app with fixed answers, so this test is about the judge wiring only."""

    kind, cacheable, can_retrieve = "canned", False, True

    def identity(self) -> dict:
        return {"kind": self.kind}

    def producer(self, models: set[str] | None = None) -> Producer:
        return Producer("openai_compatible", "m", {"provider": "local", "dimensions": 8})

    def prompt_files(self) -> dict:
        return {}

    async def prepare(self) -> None:
        return None

    async def retrieve(self, query: str, top: int) -> list[dict]:
        return [
            {"doc_id": "doc-a", "chunk_id": "doc-a#0", "text": "Returns: 45 days.", "score": 1.0}
        ]

    async def chat(self, question: str) -> dict:
        return {
            "answer": "45 days.",
            "citations": [{"doc_id": "doc-a"}],
            "model": "m",
            "prompt_id": "p",
            "prompt_version": "1",
            "usage": {"total_tokens": 3},
        }

    async def aclose(self) -> None:
        return None


def make_repo(root: Path) -> None:
    (root / "evals").mkdir()
    (root / "data" / "eval").mkdir(parents=True)
    (root / "evals" / "thresholds.yaml").write_text(
        "suites: [rag_chat]\n"
        "rag_chat:\n  dataset: data/eval/rag.jsonl\n  min_items: 3\n"
        "  files: {qrels: data/eval/qrels.tsv}\n"
        "  floors: {recall@5: 0.5}\n  judges: [groundedness, relevance]\n"
        "  judge_floors: {groundedness_pass: 0.9}\n"
    )
    lines = [
        json.dumps(
            {
                "id": f"q{i}",
                "question": f"question {i}?",
                "reference_answer": "45 days.",
                "cited_doc_ids": ["doc-a"],
            }
        )
        for i in range(3)
    ]
    (root / "data" / "eval" / "rag.jsonl").write_text("\n".join(lines) + "\n")
    (root / "data" / "eval" / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"q{i}\tdoc-a\t1\n" for i in range(3))
    )


def run_eval(root: Path, cache: ResponseCache):
    cfg = load_config(root)
    return asyncio.run(
        evaluate(cfg, CannedTarget(), ["rag_chat"], "t", {}, cache, 4, Comparison(enabled=False))
    )


def test_configured_judge_scores_every_item_and_feeds_the_gate(tmp_path: Path, monkeypatch) -> None:
    make_repo(tmp_path)
    with stub_model.serve(stub_model.fixed_score(5)) as stub:
        monkeypatch.setenv("EVAL_JUDGE_BASE_URL", stub.base_url)
        monkeypatch.setenv("EVAL_JUDGE_MODEL", "judge-model")
        cache = ResponseCache(tmp_path / "cache.sqlite")
        run = run_eval(tmp_path, cache)
        again = run_eval(tmp_path, cache)
    assert run.summary["passed"], run.summary["checks"]
    rag = run.summary["suites"]["rag_chat"]
    assert rag["metrics"]["groundedness_pass"] == {
        **rag["metrics"]["groundedness_pass"],
        "mean": 1.0,
        "n": 3,
    }
    usage = run.summary["judge_usage"]
    assert usage["calls"] == 6 == len(stub.requests)  # 3 items x 2 judges; the rerun sent none
    reply_words = len(json.dumps({"reason": "stub verdict", "score": 5}).split())
    sent = sum(len(m["content"].split()) for r in stub.requests for m in r["body"]["messages"])
    assert usage["prompt_tokens"] == sent
    assert usage["total_tokens"] == sent + 6 * reply_words
    assert (
        again.summary["judge_usage"]["cache_hits"] == 6
        and again.summary["judge_usage"]["calls"] == 0
    )
    assert (
        run.config["judge"]["model"] == "judge-model"
        and "groundedness" in run.config["judge"]["rubrics"]
    )


def test_judge_that_produces_nothing_means_the_eval_could_not_run(
    tmp_path: Path, monkeypatch
) -> None:
    make_repo(tmp_path)
    with stub_model.serve(lambda _body: (200, "no verdict here")) as stub:
        monkeypatch.setenv("EVAL_JUDGE_BASE_URL", stub.base_url)
        monkeypatch.setenv("EVAL_JUDGE_MODEL", "judge-model")
        run = run_eval(tmp_path, ResponseCache(None))
    assert not run.summary["passed"]
    # not "the change is worse": there is no verdict at all, and the gate says why
    assert run.verdict.status == "could not run" and run.verdict.exit_code == 3
    assert "the judge returned no verdict" in run.verdict.reasons[0]
    assert "judge reply is not JSON" in run.verdict.reasons[0]
    failed = {(c["kind"], c["metric"]) for c in run.summary["checks"] if not c["passed"]}
    assert {("judge", "judge_scores"), ("missing", "groundedness_pass")} <= failed


def test_a_judge_that_fails_on_some_items_breaches_the_gate(tmp_path: Path, monkeypatch) -> None:
    make_repo(tmp_path)
    replies = iter([json.dumps({"reason": "ok", "score": 5})] * 5)
    with stub_model.serve(lambda _body: (200, next(replies, "garbage"))) as stub:
        monkeypatch.setenv("EVAL_JUDGE_BASE_URL", stub.base_url)
        monkeypatch.setenv("EVAL_JUDGE_MODEL", "judge-model")
        run = run_eval(tmp_path, ResponseCache(None))
    assert run.verdict.status == "breached" and run.verdict.exit_code == 1
    failed = {(c["kind"], c["metric"]) for c in run.summary["checks"] if not c["passed"]}
    assert ("errors", "error_rate") in failed
