"""The retrieval plugin: hybrid search exposed to the kernel as ``retrieval.search``.

The orchestrator calls it through the kernel (so kernel filters and telemetry see it), and a
model with function calling could use it as a tool without any change.
"""

from __future__ import annotations

from typing import Annotated, Any

from semantic_kernel.functions import kernel_function

from ..models import RetrievedChunk
from .store import Store


class RetrievalPlugin:
    def __init__(self, store: Store, embeddings: Any) -> None:
        self.store = store
        self.embeddings = embeddings

    @kernel_function(name="search", description="Search the company knowledge base.")
    async def search(
        self,
        query: Annotated[str, "what to search for"],
        top: Annotated[int, "how many passages to return"] = 5,
    ) -> list[RetrievedChunk]:
        vector = (await self.embeddings.generate_embeddings([query]))[0]
        search_async = getattr(self.store, "search_async", None)
        if search_async is not None:  # a remote index: never block the event loop on it
            return list(await search_async(query, vector, int(top)))
        return self.store.search(query, vector, int(top))


def format_sources(chunks: list[RetrievedChunk]) -> str:
    """The SOURCES block of the answer prompt: one ``[source: id] section`` header per passage."""
    return "\n\n".join(f"[source: {c.chunk_id}] {c.section}\n{c.text}" for c in chunks)
