"""Pick the index implementation from settings."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .store import SqliteStore, Store


def manifest_path(settings: Settings) -> Path:
    return settings.index_path.parent / "manifest.json"


def build_store(settings: Settings) -> Store:
    if settings.search_backend == "azure_ai_search":
        from .azure_search import AzureSearchStore

        return AzureSearchStore.from_settings(settings)
    return SqliteStore(settings.index_path, rrf_k=settings.rrf_k)
