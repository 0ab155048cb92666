"""What the app stores and the interface every backend implements.

Ids are made by the server (``new_id``): a client's ``X-Request-ID`` is only a correlation field.
Requests and feedback are insert-only; a session is replaced only by the writer that read its
current version (optimistic concurrency), so several processes can share one store.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Protocol

TABLES = ("requests", "feedback", "sessions")  # the same names in SQLite and Azure Table Storage
MAX_STORED_CHARS = 4000  # of a request's input and output (redacted before storing)


def new_id() -> str:
    """A random 128-bit id (hex): unguessable, so it can also name a session."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class RequestRecord:
    """One answered request, so feedback and online evaluation see exactly what the user saw."""

    request_id: str
    kind: str
    prompt_id: str
    prompt_version: str
    model: str
    revision: str
    input: str
    output: str
    correlation_id: str = ""
    session_id: str = ""
    caller: str = ""  # who asked (a pseudonymous id), so only they can rate the answer
    created_at: float = 0.0


@dataclass(frozen=True)
class FeedbackRecord:
    feedback_id: str
    request_id: str
    rating: int
    comment: str
    created_at: float


@dataclass(frozen=True)
class SessionRecord:
    """A conversation: ``messages`` is compact JSON of ``[{"role", "content"}]``; ``version`` is
    the backend's concurrency token (a counter in SQLite, the ETag in Table Storage)."""

    session_id: str
    owner: str
    messages: str
    updated_at: float
    expires_at: float
    version: str = ""

    def expired(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) >= self.expires_at


class UnknownRequest(KeyError):
    """Feedback for a request id this service never answered."""


class DuplicateId(ValueError):
    """An insert-only record with this id exists already; nothing was overwritten."""


class FeedbackConflict(ValueError):
    """Different feedback was already stored for this request."""


class SessionConflict(RuntimeError):
    """Another writer changed the session since it was read."""


class AppStore(Protocol):
    async def add_request(self, record: RequestRecord) -> None:
        """Insert; raises :class:`DuplicateId` rather than replace."""

    async def get_request(self, request_id: str) -> RequestRecord | None: ...

    async def add_feedback(
        self, request_id: str, rating: int, comment: str
    ) -> tuple[FeedbackRecord, bool]:
        """Store feedback once per request: ``(record, created)``. The same feedback again
        returns the stored record; different feedback raises :class:`FeedbackConflict`; an
        unknown request raises :class:`UnknownRequest`."""

    async def feedback_for(self, request_id: str) -> list[FeedbackRecord]: ...

    async def get_session(self, session_id: str) -> SessionRecord | None:
        """The session, or None when it does not exist or has expired."""

    async def put_session(self, record: SessionRecord) -> SessionRecord:
        """Create (``version == ""``) or replace the version that was read; returns the stored
        record with its new version. Raises :class:`SessionConflict` if someone else won."""

    async def close(self) -> None: ...


def same_feedback(stored: FeedbackRecord, rating: int, comment: str) -> bool:
    return stored.rating == rating and stored.comment == comment
