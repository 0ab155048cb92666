"""The local store: one SQLite file in WAL mode, shared safely by several worker processes.

Each process has one connection, used from one dedicated thread so the event loop never waits
on the disk or on another process's write lock (``busy_timeout`` handles that wait).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .base import (
    DuplicateId,
    FeedbackConflict,
    FeedbackRecord,
    RequestRecord,
    SessionConflict,
    SessionRecord,
    UnknownRequest,
    new_id,
    same_feedback,
)

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL, session_id TEXT NOT NULL,
    caller TEXT NOT NULL, created_at REAL NOT NULL, kind TEXT NOT NULL, prompt_id TEXT NOT NULL,
    prompt_version TEXT NOT NULL, model TEXT NOT NULL, revision TEXT NOT NULL,
    input TEXT NOT NULL, output TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE REFERENCES requests(request_id),
    created_at REAL NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, owner TEXT NOT NULL, messages TEXT NOT NULL,
    updated_at REAL NOT NULL, expires_at REAL NOT NULL, version INTEGER NOT NULL);
"""
_REQUEST_COLUMNS = (
    "request_id, correlation_id, session_id, caller, created_at, kind, prompt_id, prompt_version, model,"
    " revision, input, output"
)

_INSERT_REQUEST = f"INSERT INTO requests ({_REQUEST_COLUMNS}) VALUES ({', '.join('?' * 12)})"  # noqa: S608


class SqliteAppStore:
    def __init__(self, path: Path, busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._db: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="app-store")

    # --- plumbing -----------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, lambda: work(self._connection()))

    async def close(self) -> None:
        def shut(db: sqlite3.Connection) -> None:
            db.close()
            self._db = None

        if self._db is not None:
            await self._run(shut)
        self._thread.shutdown(wait=True)

    # --- requests -----------------------------------------------------------------------------
    async def add_request(self, record: RequestRecord) -> None:
        r = record
        row = (
            r.request_id,
            r.correlation_id,
            r.session_id,
            r.caller,
            r.created_at or time.time(),
            r.kind,
            r.prompt_id,
            r.prompt_version,
            r.model,
            r.revision,
            r.input,
            r.output,
        )

        def insert(db: sqlite3.Connection) -> None:
            try:
                db.execute(_INSERT_REQUEST, row)
            except sqlite3.IntegrityError:
                raise DuplicateId(r.request_id) from None

        await self._run(insert)

    async def get_request(self, request_id: str) -> RequestRecord | None:
        def read(db: sqlite3.Connection) -> Any:
            return db.execute(
                f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE request_id = ?",  # noqa: S608
                (request_id,),
            ).fetchone()

        row = await self._run(read)
        if row is None:
            return None
        rid, corr, sid, caller, created, kind, pid, pver, model, rev, text_in, text_out = row
        return RequestRecord(
            request_id=rid,
            correlation_id=corr,
            session_id=sid,
            caller=caller,
            created_at=created,
            kind=kind,
            prompt_id=pid,
            prompt_version=pver,
            model=model,
            revision=rev,
            input=text_in,
            output=text_out,
        )

    # --- feedback -----------------------------------------------------------------------------
    async def add_feedback(
        self, request_id: str, rating: int, comment: str
    ) -> tuple[FeedbackRecord, bool]:
        record = FeedbackRecord(new_id(), request_id, rating, comment, time.time())

        def insert(db: sqlite3.Connection) -> tuple[FeedbackRecord, bool]:
            db.execute("BEGIN IMMEDIATE")
            try:
                if not db.execute(
                    "SELECT 1 FROM requests WHERE request_id = ?", (request_id,)
                ).fetchone():
                    raise UnknownRequest(request_id)
                stored = _feedback(db, request_id)
                if stored is None:
                    db.execute(
                        "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                        (record.feedback_id, request_id, record.created_at, rating, comment),
                    )
                    return record, True
                if not same_feedback(stored, rating, comment):
                    raise FeedbackConflict(request_id)
                return stored, False
            finally:
                db.execute("COMMIT")

        return await self._run(insert)

    async def feedback_for(self, request_id: str) -> list[FeedbackRecord]:
        found = await self._run(lambda db: _feedback(db, request_id))
        return [found] if found else []

    # --- sessions -----------------------------------------------------------------------------
    async def get_session(self, session_id: str) -> SessionRecord | None:
        def read(db: sqlite3.Connection) -> Any:
            return db.execute(
                "SELECT session_id, owner, messages, updated_at, expires_at, version"
                " FROM sessions WHERE session_id = ?",
                (session_id,),
            ).fetchone()

        row = await self._run(read)
        if row is None:
            return None
        session_id, owner, messages, updated_at, expires_at, version = row
        record = SessionRecord(session_id, owner, messages, updated_at, expires_at, str(version))
        return None if record.expired() else record

    async def put_session(self, record: SessionRecord) -> SessionRecord:
        def write(db: sqlite3.Connection) -> SessionRecord:
            r = record
            if not r.version:
                try:
                    db.execute(
                        "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 1)",
                        (r.session_id, r.owner, r.messages, r.updated_at, r.expires_at),
                    )
                except sqlite3.IntegrityError:
                    raise SessionConflict(r.session_id) from None
                return _with_version(r, "1")
            changed = db.execute(
                "UPDATE sessions SET messages = ?, updated_at = ?, expires_at = ?,"
                " version = version + 1 WHERE session_id = ? AND version = ?",
                (r.messages, r.updated_at, r.expires_at, r.session_id, int(r.version)),
            ).rowcount
            if changed != 1:
                raise SessionConflict(r.session_id)
            return _with_version(r, str(int(r.version) + 1))

        return await self._run(write)


def _feedback(db: sqlite3.Connection, request_id: str) -> FeedbackRecord | None:
    row = db.execute(
        "SELECT feedback_id, request_id, rating, comment, created_at FROM feedback"
        " WHERE request_id = ?",
        (request_id,),
    ).fetchone()
    return FeedbackRecord(row[0], row[1], int(row[2]), str(row[3]), float(row[4])) if row else None


def _with_version(record: SessionRecord, version: str) -> SessionRecord:
    return dataclasses.replace(record, version=version)
