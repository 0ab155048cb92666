"""Who produced a run's answers: provider, chat model and embedding parameters.

A baseline records its producer, and the gate only compares a run with a baseline of the same
producer: the offline extractive model, a paraphrasing LLM and the same LLM over another
embedding are three different systems, and a delta between them measures nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Producer:
    provider: str
    chat_model: str
    # provider, model and dimensions of the embeddings; None when they cannot be seen (a
    # deployed app over HTTP)
    embedding: dict[str, Any] | None
    target: str = "in-process"

    @property
    def label(self) -> str:
        return f"{self.provider}/{self.chat_model}"

    @property
    def follows_instructions(self) -> bool:
        """The offline model reads the prompt's data blocks, never its instructions."""
        return self.provider != "local"

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "chat_model": self.chat_model,
            "embedding": self.embedding,
            "target": self.target,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Producer | None:
        if not isinstance(data, dict) or not data.get("provider"):
            return None
        embedding = data.get("embedding")
        return cls(
            provider=str(data["provider"]),
            chat_model=str(data.get("chat_model", "")),
            embedding=dict(embedding) if isinstance(embedding, dict) else None,
            target=str(data.get("target", "in-process")),
        )


def _embedding_text(embedding: dict[str, Any] | None) -> str:
    if not embedding:
        return "unknown"
    parts = [str(embedding.get(k)) for k in ("provider", "model", "dimensions") if k in embedding]
    return "/".join(parts)


def mismatches(baseline: Producer | None, current: Producer) -> list[str]:
    """Why the baseline cannot be compared with this run (empty: it can)."""
    if baseline is None:
        return ["the baseline does not record which provider and model produced it"]
    found: list[str] = []
    if baseline.provider != current.provider:
        found.append(f"provider {baseline.provider} in the baseline, {current.provider} here")
    if baseline.chat_model != current.chat_model:
        found.append(f"chat model {baseline.chat_model} in the baseline, {current.chat_model} here")
    if baseline.target != current.target:
        found.append(f"target {baseline.target} in the baseline, {current.target} here")
    if current.embedding is not None and baseline.embedding != current.embedding:
        found.append(
            f"embedding {_embedding_text(baseline.embedding)} in the baseline, "
            f"{_embedding_text(current.embedding)} configured"
        )
    return found
