"""One suite per use case: how an item is sent to the app and how its output is scored.

``call`` returns a JSON-ready output; ``score`` turns all outputs into per-item metrics
(means are taken later, so every metric can be paired across runs) and corpus metrics. The
use case's entry in the app's registry picks the scorer (``rag``, ``text``, ``label``) and says
which output and reference fields it compares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.config import SuiteConfig
from eval.datasets import load_qrels, load_queries
from eval.metrics import classification, retrieval, text
from eval.targets import Target
from eval.use_cases import USE_CASES


@dataclass
class Scores:
    per_item: dict[str, dict[str, float]]
    corpus: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)


def _meta(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("request_id", "prompt_id", "prompt_version", "model", "usage")
    return {k: result.get(k) for k in keys}


class RagChat:
    """Retrieval (qrels), citations (expected document ids) and answer overlap (ROUGE)."""

    def __init__(self, config: SuiteConfig, use_case: Any) -> None:
        self.name = config.name
        self.config = config
        self.k = config.k
        self.qrels = load_qrels(config.files["qrels"]) if "qrels" in config.files else {}
        self.queries = load_queries(config.files["queries"]) if "queries" in config.files else {}

    async def call(self, target: Target, record: dict[str, Any]) -> dict[str, Any]:
        result = await target.chat(record["question"])
        if target.can_retrieve:
            query = self.queries.get(str(record["id"]), record["question"])
            chunks = await target.retrieve(query, top=self.k)
        else:  # a deployed app: what it cited, in order, is what we can see of its retrieval
            chunks = [{**c, "text": c.get("title", "")} for c in result.get("citations") or []]
        return {
            "retrieved": [
                {"doc_id": c["doc_id"], "chunk_id": c.get("chunk_id"), "score": c.get("score")}
                for c in chunks
            ],
            "context": [c.get("text", "") for c in chunks],
            "answer": result["answer"],
            "cited_doc_ids": [c["doc_id"] for c in result.get("citations") or []],
            **_meta(result),
        }

    def score(self, records: list[dict[str, Any]], outputs: dict[str, dict[str, Any]]) -> Scores:
        rankings = {
            item_id: retrieval.dedupe_doc_ids([c["doc_id"] for c in out["retrieved"]])
            for item_id, out in outputs.items()
        }
        ranked = retrieval.score_rankings(self.qrels, rankings, self.k)
        per_item: dict[str, dict[str, float]] = {}
        for record in records:
            item_id = str(record["id"])
            out = outputs.get(item_id)
            if out is None:
                continue
            metrics = dict(ranked.get(item_id, {}))
            overlap = text.rouge(out["answer"], record["reference_answer"])
            metrics["rouge1"], metrics["rougeL"] = overlap["rouge1"], overlap["rougeL"]
            expected = set(record["cited_doc_ids"])
            cited = set(out["cited_doc_ids"])
            if expected:
                hits = len(expected & cited)
                metrics["citation_recall"] = hits / len(expected)
                metrics["citation_precision"] = hits / len(cited) if cited else 0.0
            per_item[item_id] = metrics
        return Scores(
            per_item,
            signatures={"retrieval": retrieval.signature(self.k), "rouge": text.rouge_signature()},
        )

    def judge_inputs(self, record: dict[str, Any], out: dict[str, Any]) -> dict[str, str]:
        return {
            "query": record["question"],
            "response": out["answer"],
            "context": "\n\n".join(out["context"]),
        }


class TextTask:
    """A text in, a text out (summarization): ROUGE-1/2/L/Lsum and chrF of the output against
    the record's reference per item; corpus BLEU and chrF (sacrebleu)."""

    def __init__(self, config: SuiteConfig, use_case: Any) -> None:
        self.name = config.name
        self.config = config
        self.output, self.reference = use_case.output, use_case.reference
        self.judge_query = use_case.judge_query or use_case.description

    async def call(self, target: Target, record: dict[str, Any]) -> dict[str, Any]:
        result = await target.run(self.name, record["text"])
        return {self.output: result[self.output], **_meta(result)}

    def score(self, records: list[dict[str, Any]], outputs: dict[str, dict[str, Any]]) -> Scores:
        per_item: dict[str, dict[str, float]] = {}
        predictions: list[str] = []
        references: list[str] = []
        for record in records:
            out = outputs.get(str(record["id"]))
            if out is None:
                continue
            output, reference = out[self.output], record[self.reference]
            metrics = text.rouge(output, reference)
            metrics["chrf"] = text.sentence_chrf(output, reference)
            per_item[str(record["id"])] = metrics
            predictions.append(output)
            references.append(reference)
        signatures = {"rouge": text.rouge_signature()}
        corpus: dict[str, float] = {}
        if predictions:
            scores, sacrebleu_signatures = text.corpus_scores(predictions, references)
            corpus = {f"corpus_{k}": v for k, v in scores.items()}
            signatures |= sacrebleu_signatures
        return Scores(per_item, corpus, signatures=signatures)

    def judge_inputs(self, record: dict[str, Any], out: dict[str, Any]) -> dict[str, str]:
        return {"query": self.judge_query, "response": out[self.output], "context": record["text"]}


class Classification:
    """Accuracy per item; macro P/R/F1, new-category detection and log-loss over the corpus."""

    def __init__(self, config: SuiteConfig, use_case: Any) -> None:
        self.name = config.name
        self.config = config
        self.judge_query = use_case.judge_query or use_case.description

    async def call(self, target: Target, record: dict[str, Any]) -> dict[str, Any]:
        result = await target.run(self.name, record["text"])
        return {
            "label": result["label"],
            "is_new_category": bool(result.get("is_new_category")),
            "proposed_category": result.get("proposed_category"),
            "probabilities": result.get("probabilities"),
            **_meta(result),
        }

    @staticmethod
    def predicted(out: dict[str, Any]) -> str:
        return classification.NEW_CATEGORY if out["is_new_category"] else str(out["label"])

    def score(self, records: list[dict[str, Any]], outputs: dict[str, dict[str, Any]]) -> Scores:
        per_item: dict[str, dict[str, float]] = {}
        truth: list[str] = []
        predicted: list[str] = []
        probabilities: list[dict[str, float] | None] = []
        for record in records:
            out = outputs.get(str(record["id"]))
            if out is None:
                continue
            label = self.predicted(out)
            per_item[str(record["id"])] = {"accuracy": float(label == record["label"])}
            truth.append(str(record["label"]))
            predicted.append(label)
            probabilities.append(out.get("probabilities"))
        if not truth:
            return Scores(per_item)
        corpus = classification.corpus_scores(truth, predicted, probabilities)
        corpus.pop("accuracy", None)  # identical to the mean of the per-item accuracy
        classes = classification.per_class(truth, predicted)
        new = classes.get(classification.NEW_CATEGORY)
        if new is not None:
            corpus["new_category_recall"] = new["recall"]
            corpus["new_category_precision"] = new["precision"]
        return Scores(
            per_item,
            corpus,
            details={"per_class": classes},
            signatures={"classification": classification.signature()},
        )

    def judge_inputs(self, record: dict[str, Any], out: dict[str, Any]) -> dict[str, str]:
        return {"query": self.judge_query, "response": str(out["label"]), "context": record["text"]}


Suite = RagChat | TextTask | Classification
SCORERS: dict[str, type[Suite]] = {"rag": RagChat, "text": TextTask, "label": Classification}


def build(config: SuiteConfig) -> Suite:
    """The suite of one use case: the scorer its registry entry names, on its configuration."""
    use_case = USE_CASES[config.name]
    return SCORERS[use_case.scorer](config, use_case)
