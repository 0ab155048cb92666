"""Server-side conversations: a Semantic Kernel ``ChatHistory`` per session id, kept in the store.

Bounded in turns (``APP_MAX_HISTORY_TURNS``) and in estimated tokens (``APP_SESSION_MAX_TOKENS``),
the oldest turns dropped first; a session expires ``APP_SESSION_TTL_S`` after its last turn. Only
the caller that created a session can use it. Two processes appending at once do not lose a turn:
the loser of the optimistic write reloads and appends again.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from .models import ChatTurn
from .store import AppStore, SessionConflict, SessionRecord
from .store.base import new_id


class UnknownSession(KeyError):
    """No such session for this caller (never existed, expired, or someone else's)."""


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def to_chat_history(turns: list[ChatTurn]) -> Any:
    """The turns as a Semantic Kernel ``ChatHistory``."""
    from semantic_kernel.contents import ChatHistory

    history = ChatHistory()
    for turn in turns:
        if turn.role == "user":
            history.add_user_message(turn.content)
        else:
            history.add_assistant_message(turn.content)
    return history


def from_chat_history(history: Any) -> list[ChatTurn]:
    return [
        ChatTurn(role="user" if str(m.role.value) == "user" else "assistant", content=m.content)
        for m in history.messages
        if str(m.role.value) in ("user", "assistant")
    ]


def bounded(turns: list[ChatTurn], max_turns: int, max_tokens: int) -> list[ChatTurn]:
    """The most recent messages within both bounds, starting with a question."""
    kept = turns[-max_turns:] if max_turns else []
    while kept and (
        kept[0].role != "user" or sum(estimate_tokens(t.content) for t in kept) > max_tokens
    ):
        kept = kept[1:]
    return kept


@dataclass
class Session:
    session_id: str
    owner: str
    history: Any  # semantic_kernel ChatHistory
    version: str = ""

    @property
    def turns(self) -> list[ChatTurn]:
        return from_chat_history(self.history)


class Sessions:
    def __init__(self, store: AppStore, ttl_s: int, max_turns: int, max_tokens: int) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.max_turns = max_turns
        self.max_tokens = max_tokens

    def new(self, owner: str) -> Session:
        return Session(new_id(), owner, to_chat_history([]))

    async def load(self, session_id: str, owner: str) -> Session:
        record = await self.store.get_session(session_id)
        if record is None or record.owner != owner:
            raise UnknownSession(session_id)
        turns = [ChatTurn.model_validate(t) for t in json.loads(record.messages)]
        return Session(record.session_id, owner, to_chat_history(turns), record.version)

    async def append(self, session: Session, question: str, answer: str) -> Session:
        """Add one exchange and save; on a concurrent write, reload and add it again."""
        for _ in range(5):
            turns = bounded(
                [
                    *session.turns,
                    ChatTurn(role="user", content=question),
                    ChatTurn(role="assistant", content=answer),
                ],
                self.max_turns,
                self.max_tokens,
            )
            now = time.time()
            record = SessionRecord(
                session_id=session.session_id,
                owner=session.owner,
                messages=json.dumps([t.model_dump() for t in turns], ensure_ascii=False),
                updated_at=now,
                expires_at=now + self.ttl_s,
                version=session.version,
            )
            try:
                stored = await self.store.put_session(record)
            except SessionConflict:
                session = await self.load(session.session_id, session.owner)
                continue
            return Session(
                session.session_id, session.owner, to_chat_history(turns), stored.version
            )
        raise SessionConflict(session.session_id)
