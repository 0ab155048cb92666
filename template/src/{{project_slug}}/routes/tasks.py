"""The text use cases of the registry (summarization, log triage, ...): a text, or the id of a
grounding document, in; the handler's result out. One route per ``input: text`` entry."""

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from ..deps import app_state, caller, record
from ..schemas import RequestModels, error_responses
from ..use_cases import USE_CASES, UseCase


def build(models: RequestModels, auth_statuses: tuple[int, ...]) -> APIRouter:
    router = APIRouter(tags=["tasks"], dependencies=[Depends(caller)])
    errors = error_responses(400, *auth_statuses, 404, 413, 422, 502)
    for use_case in USE_CASES.values():
        if use_case.input == "text":
            router.add_api_route(
                use_case.route,
                _endpoint(use_case, models.TextBody),
                methods=["POST"],
                name=use_case.operation,
                response_model=use_case.result_model(),
                responses=errors,
                description=use_case.description,
            )
    return router


async def text_of(body: Any, request: Request) -> str:
    doc_id = getattr(body, "doc_id", None)
    if doc_id is None:
        return str(body.text)
    try:  # reads and parses files: off the event loop
        return str(await asyncio.to_thread(app_state(request).orchestrator.document_text, doc_id))
    except KeyError:
        raise HTTPException(404, f"no document {doc_id!r}") from None


def _endpoint(use_case: UseCase, Body: Any) -> Any:  # noqa: N803 (a type, as FastAPI reads it)
    async def endpoint(body: Body, request: Request) -> Any:
        text = await text_of(body, request)
        orch = app_state(request).orchestrator
        result = await use_case.run(orch, text, request_id=request.state.request_id)
        await record(
            request, use_case.operation, result, text, str(getattr(result, use_case.output))
        )
        return result

    return endpoint
