"""Requests and the feedback on them, in one SQLite file.

Every answered request is recorded (ids, prompt version, model, revision, and the PII-redacted
input and output) so that feedback can be tied to exactly what the user saw, and so online
evaluation can sample real traffic.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from .guardrails import redact

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, created_at REAL NOT NULL, kind TEXT NOT NULL,
    prompt_id TEXT NOT NULL, prompt_version TEXT NOT NULL, model TEXT NOT NULL,
    revision TEXT NOT NULL, input TEXT NOT NULL, output TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(request_id),
    created_at REAL NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL);
"""


class UnknownRequest(KeyError):
    """Feedback for a request id this service never answered."""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "PRAGMA synchronous=NORMAL"
        )  # WAL: durable at checkpoints, no fsync per commit
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def record_request(
        self, request_id: str, kind: str, prompt_id: str, prompt_version: str, model: str,
        revision: str, input_text: str, output_text: str,
    ) -> None:  # fmt: skip
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (request_id, time.time(), kind, prompt_id, prompt_version, model, revision,
                 redact(input_text)[:4000], redact(output_text)[:4000]),
            )  # fmt: skip

    def add_feedback(self, request_id: str, rating: int, comment: str = "") -> int:
        with self._lock:
            known = self._db.execute(
                "SELECT 1 FROM requests WHERE request_id = ?", (request_id,)
            ).fetchone()
            if not known:
                raise UnknownRequest(request_id)
            cursor = self._db.execute(
                "INSERT INTO feedback(request_id, created_at, rating, comment) VALUES (?, ?, ?, ?)",
                (request_id, time.time(), rating, redact(comment)),
            )
            return int(cursor.lastrowid or 0)

    def feedback_for(self, request_id: str) -> list[tuple[int, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT rating, comment FROM feedback WHERE request_id = ? ORDER BY id",
                (request_id,),
            )
            return [(int(r[0]), str(r[1])) for r in rows]
