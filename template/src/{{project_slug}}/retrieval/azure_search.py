"""Azure AI Search as the production index: same ``Store`` interface, same hybrid query.

Azure AI Search runs BM25 over the searchable fields and HNSW over the vector field in one request
and fuses the two rankings with RRF, the same fusion the offline SQLite store does. Needs the
``azure-search`` extra (``uv sync --extra azure-search``); Entra ID unless a key is configured.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..models import RetrievedChunk
from ..settings import Settings
from .chunking import Chunk
from .loaders import Document

META_DOC = "__meta__"


def key_for(chunk_id: str) -> str:
    """Search keys allow only letters, digits, '_', '-' and '='."""
    return hashlib.sha1(chunk_id.encode(), usedforsecurity=False).hexdigest()


class AzureSearchStore:
    """Ingestion (a CLI job) uses the sync clients; queries in the request path use the async
    ``SearchClient`` (``async_client``), so a search never blocks the event loop."""

    def __init__(
        self, search_client: Any, index_client: Any, index_name: str, async_client: Any = None
    ) -> None:
        self.client = search_client
        self.index_client = index_client
        self.index_name = index_name
        self.async_client = async_client
        self._index_checked = False
        self._writable = False

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureSearchStore:
        try:
            from azure.search.documents import SearchClient
            from azure.search.documents.indexes import SearchIndexClient
        except ImportError as exc:
            raise RuntimeError(
                "search_backend=azure_ai_search needs: uv sync --extra azure-search"
            ) from exc
        credential: Any
        if settings.azure_search_api_key:
            from azure.core.credentials import AzureKeyCredential

            credential = AzureKeyCredential(settings.azure_search_api_key.get_secret_value())
        else:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential(managed_identity_client_id=settings.azure_client_id)
        endpoint = str(settings.azure_search_endpoint)
        return cls(
            SearchClient(endpoint, settings.azure_search_index, credential),
            SearchIndexClient(endpoint, credential),
            settings.azure_search_index,
            async_client=_async_client(settings),
        )

    def refuse_alias(self) -> None:
        """Never write to the alias production queries (APP_AZURE_SEARCH_INDEX when deployed).

        Index refresh (deploy/index_refresh.py) ingests into a versioned index and then moves the
        alias to it; creating or filling an index under the alias's name would bypass that eval
        gate (and Azure AI Search has no index of that name to update). A name that is not an
        alias (ResourceNotFoundError) is an index: go ahead.
        """
        get_alias = getattr(self.index_client, "get_alias", None)
        if self._writable or get_alias is None:
            return
        try:
            get_alias(self.index_name)
        except Exception as exc:  # noqa: BLE001 - only "not found" means "not an alias"
            if type(exc).__name__ == "ResourceNotFoundError":
                self._writable = True
                return
            raise
        raise RuntimeError(
            f"{self.index_name} is a search alias, not an index: ingest into a versioned index "
            "(make index-refresh INDEX_BACKEND=azure sets APP_AZURE_SEARCH_INDEX=<alias>-v<N>)"
        )

    def ensure_index(self, dimensions: int) -> None:
        """Create or update the index schema (idempotent); refused for the serving alias."""
        self.refuse_alias()
        from azure.search.documents.indexes.models import (
            HnswAlgorithmConfiguration,
            SearchableField,
            SearchField,
            SearchFieldDataType,
            SearchIndex,
            SimpleField,
            VectorSearch,
            VectorSearchProfile,
        )

        fields = [
            SimpleField(name="id", type=SearchFieldDataType.String, key=True),
            SimpleField(name="chunk_id", type=SearchFieldDataType.String),
            SimpleField(name="doc_id", type=SearchFieldDataType.String, filterable=True),
            SimpleField(name="doc_hash", type=SearchFieldDataType.String),
            SimpleField(name="source", type=SearchFieldDataType.String),
            SimpleField(name="position", type=SearchFieldDataType.Int32),
            SearchableField(name="title", type=SearchFieldDataType.String),
            SearchableField(name="section", type=SearchFieldDataType.String),
            SearchableField(name="text", type=SearchFieldDataType.String),
            SearchField(
                name="vector",
                type=SearchFieldDataType.Collection(SearchFieldDataType.Single),
                searchable=True,
                vector_search_dimensions=dimensions,
                vector_search_profile_name="default",
            ),
        ]
        vector_search = VectorSearch(
            algorithms=[HnswAlgorithmConfiguration(name="hnsw")],
            profiles=[VectorSearchProfile(name="default", algorithm_configuration_name="hnsw")],
        )
        self.index_client.create_or_update_index(
            SearchIndex(name=self.index_name, fields=fields, vector_search=vector_search)
        )
        self._index_checked = True

    def _ids_of(self, doc_id: str) -> list[str]:
        safe = doc_id.replace("'", "''")
        results = self.client.search(search_text="*", filter=f"doc_id eq '{safe}'", select=["id"])
        return [r["id"] for r in results]

    def get_meta(self, key: str) -> str | None:
        try:
            doc = self.client.get_document(key=f"meta-{key}")
        except Exception:  # noqa: BLE001 - missing document or index: no value yet
            return None
        return str(doc.get("text")) if doc else None

    def set_meta(self, key: str, value: str) -> None:
        self.refuse_alias()
        self.client.merge_or_upload_documents(
            documents=[{"id": f"meta-{key}", "doc_id": META_DOC, "chunk_id": key, "text": value}]
        )

    def document_hashes(self) -> dict[str, str]:
        results = self.client.search(
            search_text="*", filter=f"doc_id ne '{META_DOC}'", select=["doc_id", "doc_hash"]
        )
        return {r["doc_id"]: r["doc_hash"] for r in results}

    def chunk_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        results = self.client.search(
            search_text="*", filter=f"doc_id ne '{META_DOC}'", select=["doc_id"]
        )
        for r in results:
            counts[r["doc_id"]] = counts.get(r["doc_id"], 0) + 1
        return counts

    def replace_document(self, doc: Document, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self.refuse_alias()
        if not self._index_checked:
            self.ensure_index(int(vectors.shape[1]))
        self.delete_document(doc.doc_id)
        documents = [
            {
                "id": key_for(c.chunk_id),
                "chunk_id": c.chunk_id,
                "doc_id": c.doc_id,
                "doc_hash": doc.content_hash,
                "source": c.source,
                "position": c.position,
                "title": c.title,
                "section": c.section,
                "text": c.text,
                "vector": [float(x) for x in v],
            }
            for c, v in zip(chunks, vectors, strict=True)
        ]
        self.client.upload_documents(documents=documents)

    def delete_document(self, doc_id: str) -> None:
        self.refuse_alias()
        ids = self._ids_of(doc_id)
        if ids:
            self.client.delete_documents(documents=[{"id": i} for i in ids])

    def clear(self) -> None:
        for doc_id in self.document_hashes():
            self.delete_document(doc_id)

    def count_chunks(self) -> int:
        return sum(self.chunk_counts().values())

    def _query(self, query: str, vector: np.ndarray, top: int) -> dict[str, Any]:
        from azure.search.documents.models import VectorizedQuery

        vector_query = VectorizedQuery(
            vector=[float(x) for x in vector],
            k_nearest_neighbors=max(top * 4, 20),
            fields="vector",
        )
        return {
            "search_text": query,
            "vector_queries": [vector_query],
            "filter": f"doc_id ne '{META_DOC}'",
            "select": ["chunk_id", "doc_id", "title", "section", "text", "source"],
            "top": top,
        }

    def search(self, query: str, vector: np.ndarray, top: int) -> list[RetrievedChunk]:
        """One hybrid request: BM25 + vector, fused by RRF inside Azure AI Search."""
        return [_chunk(r) for r in self.client.search(**self._query(query, vector, top))]

    async def search_async(self, query: str, vector: np.ndarray, top: int) -> list[RetrievedChunk]:
        """The same query through the async client (the request path)."""
        if self.async_client is None:
            return self.search(query, vector, top)
        results = await self.async_client.search(**self._query(query, vector, top))
        return [_chunk(r) async for r in results]


def _chunk(r: Any) -> RetrievedChunk:
    return RetrievedChunk(
        doc_id=r["doc_id"],
        chunk_id=r["chunk_id"],
        title=r["title"],
        section=r["section"],
        text=r["text"],
        source=r.get("source") or "",
        score=float(r.get("@search.score") or 0.0),
    )


def _async_client(settings: Settings) -> Any:
    from azure.search.documents.aio import SearchClient

    credential: Any
    if settings.azure_search_api_key:
        from azure.core.credentials import AzureKeyCredential

        credential = AzureKeyCredential(settings.azure_search_api_key.get_secret_value())
    else:
        from ..providers import azure_credential

        credential = azure_credential(settings)
    return SearchClient(
        str(settings.azure_search_endpoint), settings.azure_search_index, credential
    )
