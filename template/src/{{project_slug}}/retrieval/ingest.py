"""Incremental ingestion with a manifest.

A document is re-chunked and re-embedded only when the sha256 of its file changed; a document that
disappeared from the docs folder loses all its chunks (the "right to be forgotten"); a change of
chunking parameters or embedding model rebuilds everything. The manifest lists every document with
its hash and chunk count plus the parameters, and its ``index_version`` is a hash of all of that,
so an eval run can cite the exact grounding data it used.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import Chunk, chunk_document
from .loaders import Document, discover, doc_id_for, file_hash, load
from .store import Store

CHUNKER = "markdown-headings-v1"
MANIFEST_VERSION = 1
BATCH = 128

Embed = Callable[[list[str]], Awaitable[np.ndarray]]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    chunks_written: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    manifest: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"ingested {len(self.added)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.deleted)} deleted, "
            f"{len(self.failed)} failed document(s); {self.chunks_written} chunks written in "
            f"{self.seconds:.2f}s; index {self.manifest.get('index_version', '?')}"
            + (" (full rebuild: parameters changed)" if self.rebuilt else "")
        )


def parameters(chunk_size: int, chunk_overlap: int, embedding: dict[str, Any]) -> dict[str, Any]:
    return {
        "chunking": {"strategy": CHUNKER, "size": chunk_size, "overlap": chunk_overlap},
        "embedding": embedding,
    }


async def embed_chunks(chunks: list[Chunk], embed: Embed) -> np.ndarray:
    parts = [
        await embed([c.embedding_text for c in chunks[i : i + BATCH]])
        for i in range(0, len(chunks), BATCH)
    ]
    return np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)


async def ingest(
    docs_path: Path,
    store: Store,
    embed: Embed,
    params: dict[str, Any],
    manifest_path: Path | None = None,
    full: bool = False,
) -> IngestReport:
    """Bring ``store`` in line with the files under ``docs_path``; write the manifest."""
    started = time.perf_counter()
    if not docs_path.is_dir():
        raise FileNotFoundError(f"docs folder not found: {docs_path}")
    report = IngestReport()
    params_json = json.dumps(params, sort_keys=True)
    if full or store.get_meta("parameters") != params_json:
        report.rebuilt = store.get_meta("parameters") is not None
        store.clear()
    known = store.document_hashes()
    files = {doc_id_for(p, docs_path): p for p in discover(docs_path)}
    documents: list[dict[str, Any]] = []

    for doc_id, path in files.items():
        digest = file_hash(path)
        if known.get(doc_id) == digest:
            report.unchanged.append(doc_id)
        else:
            try:
                doc: Document = load(path, docs_path)
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop ingestion
                report.failed[doc_id] = str(exc)
                continue
            chunks = chunk_document(doc, params["chunking"]["size"], params["chunking"]["overlap"])
            vectors = await embed_chunks(chunks, embed)
            store.replace_document(doc, chunks, vectors)
            report.chunks_written += len(chunks)
            (report.updated if doc_id in known else report.added).append(doc_id)
        documents.append(
            {"doc_id": doc_id, "source": path.relative_to(docs_path).as_posix(), "sha256": digest}
        )

    for doc_id in sorted(set(known) - set(files)):
        store.delete_document(doc_id)
        report.deleted.append(doc_id)
    # a document that failed to load keeps nothing stale in the index
    for doc_id in report.failed:
        if doc_id in known:
            store.delete_document(doc_id)

    store.set_meta("parameters", params_json)
    report.manifest = build_manifest(params, documents, store)
    store.set_meta("index_version", report.manifest["index_version"])
    if manifest_path is not None:
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(report.manifest, indent=2) + "\n", encoding="utf-8")
    report.seconds = time.perf_counter() - started
    return report


def build_manifest(
    params: dict[str, Any], documents: list[dict[str, Any]], store: Store
) -> dict[str, Any]:
    """Deterministic: the same files and parameters give the same manifest, byte for byte."""
    counts = store.chunk_counts()
    docs = sorted(
        ({**d, "chunks": counts.get(d["doc_id"], 0)} for d in documents if d["doc_id"] in counts),
        key=lambda d: d["doc_id"],
    )
    body = {"manifest_version": MANIFEST_VERSION, **params, "documents": docs}
    version = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "manifest_version": MANIFEST_VERSION,
        "index_version": version,
        **params,
        "totals": {"documents": len(docs), "chunks": sum(d["chunks"] for d in docs)},
        "documents": docs,
    }
