"""A response cache on disk (SQLite from the standard library), shared by runs.

Keys are hashes of everything that determines a response: for the app (model, prompt version,
settings, source fingerprint, input); for the judge (judge model, judge prompt hash, inputs).
A change to any of them is a miss, so a cache can never hide a regression.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any


def cache_key(**parts: Any) -> str:
    """Stable sha256 of ``parts`` (canonical JSON, sorted keys)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """Get/put JSON values by key; counts hits and misses per kind for the run summary."""

    def __init__(self, path: Path | None, kinds: frozenset[str] | None = None) -> None:
        """``kinds`` limits caching to some kinds of response (None: all)."""
        self.path = path
        self.kinds = kinds
        self.stats: dict[str, dict[str, int]] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses "
                "(key TEXT PRIMARY KEY, kind TEXT, value TEXT, created REAL)"
            )

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get(self, key: str, kind: str) -> Any | None:
        """The cached value or None; hits and misses are counted per ``kind``."""
        if self._db is None or (self.kinds is not None and kind not in self.kinds):
            return None
        row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        counts = self.stats.setdefault(kind, {"hits": 0, "misses": 0})
        counts["hits" if row else "misses"] += 1
        return json.loads(row[0]) if row else None

    def put(self, key: str, kind: str, value: Any) -> None:
        if self._db is None or (self.kinds is not None and kind not in self.kinds):
            return
        self._db.execute(
            "INSERT OR REPLACE INTO responses (key, kind, value, created) VALUES (?, ?, ?, ?)",
            (key, kind, json.dumps(value, ensure_ascii=False), time.time()),
        )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
