"""Which offline embedding should the app use? recall@5 on the sample corpus, measured.

Candidates: the default hashing vectors, and (when the ``embeddings-bench`` group is installed)
the packaged all-MiniLM-L6-v2 model run with NumPy. Each is scored alone and in the hybrid
(BM25 + vectors, RRF) that the app serves, next to BM25 alone. Queries with their relevant
documents are in bench/retrieval_queries.jsonl; recall@5 counts the relevant documents found
among the documents of the top-5 chunks.

    uv run python bench/embedding_choice.py                          # hashing only
    uv run --group embeddings-bench python bench/embedding_choice.py # + MiniLM
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _app import ROOT, module

TOP = 5


def load_queries() -> list[dict[str, object]]:
    lines = (ROOT / "bench" / "retrieval_queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def recall(found: list[list[str]], queries: list[dict[str, object]]) -> float:
    scores = []
    for docs, q in zip(found, queries, strict=True):
        relevant = set(q["relevant"])  # type: ignore[arg-type]
        scores.append(len(relevant & set(docs)) / len(relevant))
    return sum(scores) / len(scores)


def evaluate(
    name: str, embed: Callable[[list[str]], np.ndarray], queries: list[dict[str, object]]
) -> dict[str, float]:
    store_mod = module("retrieval.store")
    ingest_mod = module("retrieval.ingest")
    with tempfile.TemporaryDirectory() as tmp:
        store = store_mod.SqliteStore(Path(tmp) / "index.sqlite")

        async def embed_async(texts: list[str]) -> np.ndarray:
            return embed(texts)

        started = time.perf_counter()
        report = asyncio.run(
            ingest_mod.ingest(
                ROOT / "data" / "docs",
                store,
                embed_async,
                ingest_mod.parameters(800, 120, {"model": name}),
            )
        )
        seconds = time.perf_counter() - started
        texts = [str(q["query"]) for q in queries]
        vectors = embed(texts)
        modes: dict[str, list[list[str]]] = {"bm25": [], "vector": [], "hybrid": []}
        for text, vector in zip(texts, vectors, strict=True):
            lexical = store.lexical(text, TOP * 4)
            nearest = store.nearest(vector, TOP * 4)
            modes["bm25"].append(_docs(store, lexical[:TOP]))
            modes["vector"].append(_docs(store, nearest[:TOP]))
            modes["hybrid"].append([c.doc_id for c in store.search(text, vector, TOP)])
        store.close()
    result = {mode: recall(found, queries) for mode, found in modes.items()}
    result["ingest_s"] = seconds
    result["chunks"] = float(report.chunks_written)
    return result


def _docs(store: object, rowids: list[int]) -> list[str]:
    db = store._db  # type: ignore[attr-defined]
    return [
        db.execute("SELECT doc_id FROM chunks WHERE id = ?", (i,)).fetchone()[0] for i in rowids
    ]


def main() -> int:
    queries = load_queries()
    hashing = module("local_embeddings")

    def hashed(dims: int) -> Callable[[list[str]], np.ndarray]:
        return lambda texts: hashing.hash_vectors(texts, dims)

    candidates: dict[str, Callable[[list[str]], np.ndarray]] = {
        f"hashing-v1 ({dims} dims)": hashed(dims) for dims in (256, 384, 512, 1024)
    }
    try:
        sys.path.insert(0, str(ROOT / "bench"))
        from minilm_numpy import MiniLM

        model = MiniLM()
        candidates["all-MiniLM-L6-v2 (NumPy, 384 dims)"] = model.encode
    except ImportError as exc:
        print(f"(MiniLM skipped: {exc}; run with --group embeddings-bench)")
    print(
        f"{len(queries)} queries, recall@{TOP} (relevant documents among the top-{TOP} chunks' documents)"
    )
    print(f"{'embedding':38} {'bm25':>6} {'vector':>7} {'hybrid':>7} {'ingest':>8}")
    for name, embed in candidates.items():
        r = evaluate(name, embed, queries)
        print(
            f"{name:38} {r['bm25']:6.3f} {r['vector']:7.3f} {r['hybrid']:7.3f} "
            f"{r['ingest_s']:7.2f}s  ({int(r['chunks'])} chunks)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
