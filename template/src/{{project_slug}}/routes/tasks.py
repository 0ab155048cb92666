"""Summarization and log triage: a text, or the id of a grounding document."""

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from ..deps import app_state, caller, record
from ..models import ClassificationResult, SummaryResult
from ..schemas import RequestModels, error_responses


def build(models: RequestModels, auth_statuses: tuple[int, ...]) -> APIRouter:
    router = APIRouter(tags=["tasks"], dependencies=[Depends(caller)])
    Body: Any = models.TextBody
    errors = error_responses(400, *auth_statuses, 404, 413, 422, 502)

    async def text_of(body: Any, request: Request) -> str:
        doc_id = getattr(body, "doc_id", None)
        if doc_id is None:
            return str(body.text)
        try:  # reads and parses files: off the event loop
            return str(
                await asyncio.to_thread(app_state(request).orchestrator.document_text, doc_id)
            )
        except KeyError:
            raise HTTPException(404, f"no document {doc_id!r}") from None

    @router.post("/summarize", response_model=SummaryResult, responses=errors)
    async def summarize(body: Body, request: Request) -> SummaryResult:
        """Summarize ``text``, or the grounding document ``doc_id`` (exactly one of them)."""
        text = await text_of(body, request)
        orch = app_state(request).orchestrator
        result: SummaryResult = await orch.summarize(text, request_id=request.state.request_id)
        await record(request, "summarize", result, text, result.summary)
        return result

    @router.post("/classify", response_model=ClassificationResult, responses=errors)
    async def classify(body: Body, request: Request) -> ClassificationResult:
        """Triage a log entry (``text``) or a document (``doc_id``) into a configured category."""
        text = await text_of(body, request)
        orch = app_state(request).orchestrator
        result: ClassificationResult = await orch.classify(
            text, request_id=request.state.request_id
        )
        await record(request, "classify", result, text, result.label)
        return result

    return router
