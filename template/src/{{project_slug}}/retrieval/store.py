"""The offline index: one SQLite file holding chunks, an FTS5 (BM25) index and the vectors.

Hybrid search = BM25 ranking from FTS5 + cosine ranking over the stored vectors (NumPy, exact),
fused by reciprocal rank (RRF, k=60), which is also how Azure AI Search fuses its hybrid queries.
The vector matrix is cached in memory and reloaded when another connection (``make ingest``
while the server runs) commits, detected with ``PRAGMA data_version``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..models import RetrievedChunk
from ..textutil import STOPWORDS, words
from .chunking import Chunk
from .loaders import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT NOT NULL,
    content_hash TEXT NOT NULL, chunks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    position INTEGER NOT NULL, title TEXT NOT NULL, section TEXT NOT NULL, source TEXT NOT NULL,
    text TEXT NOT NULL, content_hash TEXT NOT NULL, vector BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, section, text, content='chunks', content_rowid='id', tokenize='porter unicode61');
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, title, section, text)
    VALUES (new.id, new.title, new.section, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, title, section, text)
    VALUES ('delete', old.id, old.title, old.section, old.text);
END;
"""


class Store(Protocol):
    """What ingestion and search need from an index (SQLite here, Azure AI Search in Azure)."""

    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def document_hashes(self) -> dict[str, str]: ...
    def chunk_counts(self) -> dict[str, int]: ...
    def replace_document(
        self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray
    ) -> None: ...
    def delete_document(self, doc_id: str) -> None: ...
    def clear(self) -> None: ...
    def count_chunks(self) -> int: ...
    def search(self, query: str, vector: np.ndarray, top: int) -> list[RetrievedChunk]: ...


def fts_query(text: str) -> str:
    """An FTS5 query that ORs the quoted content words (user text never reaches FTS syntax)."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and len(word) > 1:
            seen.setdefault(word.replace('"', ""), None)
    return " OR ".join(f'"{w}"' for w in seen)


def rrf(rankings: Sequence[Sequence[int]], k: int) -> dict[int, float]:
    """Reciprocal rank fusion of ranked id lists: sum of 1 / (k + rank), rank starting at 1."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


class SqliteStore:
    """A file-backed hybrid index. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: Path, rrf_k: int = 60) -> None:
        self.path = Path(path)
        self.rrf_k = rrf_k
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix: np.ndarray | None = None
        self._version: int | None = None

    def close(self) -> None:
        self._db.close()

    # --- writes -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def document_hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT doc_id, content_hash FROM documents"))

    def chunk_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT doc_id, chunks FROM documents"))

    def replace_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Swap all chunks of one document atomically."""
        rows = [
            (
                c.chunk_id,
                c.doc_id,
                c.position,
                c.title,
                c.section,
                c.source,
                c.text,
                c.content_hash,
                np.asarray(v, dtype=np.float32).tobytes(),
            )
            for c, v in zip(chunks, vectors, strict=True)
        ]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
                self._db.executemany(
                    "INSERT INTO chunks(chunk_id, doc_id, position, title, section, source, text,"
                    " content_hash, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)",
                    (doc.doc_id, doc.source, doc.title, doc.content_hash, len(rows)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._matrix = None

    def delete_document(self, doc_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._db.execute("COMMIT")
            self._matrix = None

    def clear(self) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM documents")
            self._db.execute("COMMIT")
            self._matrix = None

    # --- reads --------------------------------------------------------------------------------
    def count_chunks(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunk_ids_of(self, doc_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,)
            )
            return [r[0] for r in rows]

    def lexical(self, query: str, limit: int) -> list[int]:
        match = fts_query(query)
        if not match:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
                " ORDER BY bm25(chunks_fts, 2.0, 2.0, 1.0) LIMIT ?",
                (match, limit),
            )
            return [r[0] for r in rows]

    def _vectors(self) -> tuple[np.ndarray, np.ndarray | None]:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if self._matrix is None or version != self._version:
            rows = self._db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
            self._ids = np.array([r[0] for r in rows], dtype=np.int64)
            self._matrix = (
                np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows]) if rows else None
            )
            self._version = version
        return self._ids, self._matrix

    def nearest(self, vector: np.ndarray, limit: int) -> list[int]:
        with self._lock:
            ids, matrix = self._vectors()
        if matrix is None or not np.any(vector):
            return []
        if matrix.shape[1] != vector.shape[-1]:
            raise ValueError(
                f"query vector has {vector.shape[-1]} dimensions, the index {matrix.shape[1]}: "
                "the embedding model changed, run `make ingest`"
            )
        scores = matrix @ np.asarray(vector, dtype=np.float32).ravel()
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [int(ids[i]) for i in top if scores[i] > 0]

    def search(self, query: str, vector: np.ndarray, top: int) -> list[RetrievedChunk]:
        """Hybrid top-``top`` chunks: BM25 and vector rankings fused by RRF."""
        depth = max(top * 4, 20)
        fused = rrf([self.lexical(query, depth), self.nearest(vector, depth)], self.rrf_k)
        best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:top]
        if not best:
            return []
        with self._lock:
            marks = ",".join("?" * len(best))
            rows = {
                r[0]: r[1:]
                for r in self._db.execute(
                    f"SELECT id, doc_id, chunk_id, title, section, text, source FROM chunks"  # noqa: S608
                    f" WHERE id IN ({marks})",
                    [i for i, _ in best],
                )
            }
        return [
            RetrievedChunk(
                doc_id=rows[i][0],
                chunk_id=rows[i][1],
                title=rows[i][2],
                section=rows[i][3],
                text=rows[i][4],
                source=rows[i][5],
                score=round(score, 6),
            )
            for i, score in best
            if i in rows
        ]
