"""The orchestrator's results: one shape for in-process callers, the API and the eval harness."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Usage(BaseModel):
    """Token counts of one model call (estimated by whitespace tokens for the local provider)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Citation(BaseModel):
    """A grounding chunk the answer cites; ``doc_id`` is the source path without extension."""

    doc_id: str
    chunk_id: str
    title: str
    source: str
    score: float
    section: str = ""
    text: str = Field(default="", description="the cited passage, so a client can show it")


class RetrievedChunk(BaseModel):
    """One search hit: a chunk of a grounding document with its fused relevance score."""

    doc_id: str
    chunk_id: str
    title: str
    section: str
    text: str
    score: float
    source: str = ""


class Traced(BaseModel):
    """What every result carries so that a response can be tied to a prompt, model and request
    (the base of a use case's result: ``Orchestrator.run_text`` returns these fields)."""

    request_id: str
    prompt_id: str
    prompt_version: str
    model: str
    usage: Usage = Field(default_factory=Usage)


class ChatResult(Traced):
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    output_blocked: list[str] = Field(
        default_factory=list,
        description="output guardrail families that withheld or cut the answer (empty: none)",
    )
    session_id: str | None = Field(default=None, description="the server-side conversation")


class SummaryResult(Traced):
    summary: str


class ClassificationResult(Traced):
    """``label`` is a configured category, or ``other`` with ``is_new_category`` and a proposal."""

    label: str
    is_new_category: bool = False
    proposed_category: str | None = None
    rewrite: str = ""
    probabilities: dict[str, float] | None = None


class ChatTurn(BaseModel):
    """One earlier message of the conversation (a question or an answer)."""

    role: Literal["user", "assistant"]
    content: str
