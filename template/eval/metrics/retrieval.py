"""Retrieval quality per query with trec_eval semantics (pytrec-eval-terrier).

The run is the retriever's ranking of document ids; scores passed to trec_eval are derived
from the rank so that trec_eval's own tie-breaking cannot reorder what the retriever returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def measure_names(k: int) -> dict[str, str]:
    """trec_eval measure -> our metric name, for cut-off ``k``."""
    return {
        f"recall_{k}": f"recall@{k}",
        f"P_{k}": f"precision@{k}",
        f"ndcg_cut_{k}": f"ndcg@{k}",
        f"success_{k}": f"hit@{k}",
        "recip_rank": "mrr",
    }


def signature(k: int) -> str:
    """What produced the numbers, stored with every result (thresholds are not portable)."""
    from importlib.metadata import version

    return f"pytrec-eval-terrier {version('pytrec-eval-terrier')}|k:{k}|gain:linear|mrr-cut:{k}"


def score_rankings(
    qrels: Mapping[str, Mapping[str, int]],
    rankings: Mapping[str, Sequence[str]],
    k: int,
) -> dict[str, dict[str, float]]:
    """Per-query recall@k, precision@k, nDCG@k, hit@k and MRR (reciprocal rank within top k).

    Only queries present in both ``qrels`` and ``rankings`` are scored; a query whose ranking
    is empty scores 0 on every measure (the retriever found nothing, which is a measurement).
    """
    import pytrec_eval

    names = measure_names(k)
    scored = [q for q in rankings if q in qrels]
    run: dict[str, dict[str, float]] = {}
    for qid in scored:
        ranked: dict[str, float] = {}
        for doc_id in rankings[qid][:k]:
            ranked.setdefault(doc_id, float(k - len(ranked)))
        if ranked:
            run[qid] = ranked
    measures = {"recall", "P", "ndcg_cut", "success", "recip_rank"}
    evaluator = pytrec_eval.RelevanceEvaluator(
        {q: dict(qrels[q]) for q in scored},
        {f"{m}.{k}" if m != "recip_rank" else m for m in measures},
    )
    evaluated = evaluator.evaluate(run) if run else {}
    result: dict[str, dict[str, float]] = {}
    for qid in scored:
        values = evaluated.get(qid, {})
        result[qid] = {ours: float(values.get(theirs, 0.0)) for theirs, ours in names.items()}
    return result


def dedupe_doc_ids(doc_ids: Sequence[str]) -> list[str]:
    """Chunks -> documents: keep the first (best-ranked) occurrence of each document id."""
    seen: dict[str, None] = {}
    for doc_id in doc_ids:
        seen.setdefault(doc_id, None)
    return list(seen)
