"""The app store: answered requests, the feedback on them and chat sessions, behind one small
interface (``AppStore``). SQLite locally, Azure Table Storage when deployed."""

from __future__ import annotations

from ..settings import Settings
from .base import (
    AppStore,
    DuplicateId,
    FeedbackConflict,
    FeedbackRecord,
    RequestRecord,
    SessionConflict,
    SessionRecord,
    UnknownRequest,
)

__all__ = [
    "AppStore",
    "DuplicateId",
    "FeedbackConflict",
    "FeedbackRecord",
    "RequestRecord",
    "SessionConflict",
    "SessionRecord",
    "UnknownRequest",
    "open_store",
]


def open_store(settings: Settings) -> AppStore:
    """The configured store (``APP_STORE_BACKEND``); nothing is opened until first use."""
    if settings.store_backend == "azure_tables":
        from .azure_tables import AzureTableStore

        return AzureTableStore.from_settings(settings)
    from .sqlite import SqliteAppStore

    return SqliteAppStore(settings.feedback_path)
