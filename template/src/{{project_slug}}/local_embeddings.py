"""Offline embeddings: signed feature hashing of content terms and word bigrams.

Deterministic, zero downloads, zero extra dependencies, ~0.1 ms per chunk. It captures lexical
overlap, not meaning; the retrieval bench (bench/embedding_choice.py) measured it against the
packaged MiniLM model on the sample corpus, see docs/app.md for the figures and the choice.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

import numpy as np
from semantic_kernel.connectors.ai.embedding_generator_base import EmbeddingGeneratorBase
from semantic_kernel.connectors.ai.prompt_execution_settings import PromptExecutionSettings

from .textutil import terms

MODEL_ID = "hashing-v1"


@lru_cache(maxsize=200_000)
def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
    return digest % dimensions, (1.0 if (digest >> 63) & 1 else -1.0)


def hash_vectors(texts: list[str], dimensions: int) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text (log-scaled term frequencies)."""
    matrix = np.zeros((len(texts), dimensions), dtype=np.float32)
    for row, text in enumerate(texts):
        tokens = terms(text)
        counts: dict[str, float] = {}
        for token in tokens:
            counts[token] = counts.get(token, 0.0) + 1.0
        for first, second in zip(tokens, tokens[1:], strict=False):
            key = f"{first} {second}"
            counts[key] = counts.get(key, 0.0) + 0.5
        for feature, count in counts.items():
            index, sign = _slot(feature, dimensions)
            matrix[row, index] += sign * (1.0 + np.log(count)) if count >= 1 else sign * count
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class HashingEmbeddingGenerator(EmbeddingGeneratorBase):
    """Semantic Kernel embedding service over :func:`hash_vectors`."""

    dimensions: int = 512

    async def generate_embeddings(
        self,
        texts: list[str],
        settings: PromptExecutionSettings | None = None,
        **kwargs: Any,
    ) -> np.ndarray:
        return hash_vectors(list(texts), self.dimensions)
