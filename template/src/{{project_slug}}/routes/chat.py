"""Chat: one JSON answer (``/chat``) or the answer streamed as server-sent events
(``/chat/stream``), in a server-side session or with an explicit history."""

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from ..auth import Caller
from ..deps import AppState, CallerDep, app_state, record
from ..models import ChatResult, ChatTurn
from ..orchestrator import ProviderError, TextDelta
from ..schemas import RequestModels, error_responses
from ..sessions import Session, UnknownSession

STREAM_EVENTS = """Server-sent events, in this order:
`meta` {request_id, session_id}; `delta` {text} (screened pieces of the answer, any number);
`blocked` {reasons} if the output guardrails cut the answer; `error` {error} if the model
failed mid-stream; `done` (the ChatResult, with citations, usage and request id)."""


async def conversation(
    state: AppState, body: Any, who: Caller
) -> tuple[Session | None, list[ChatTurn]]:
    """The session to continue (or start), and the history the answer is based on."""
    if body.session_id:
        try:
            session = await state.sessions.load(body.session_id, who.id)
        except UnknownSession:
            raise HTTPException(404, "unknown or expired session") from None
        return session, session.turns
    if body.new_session:
        return state.sessions.new(who.id), []
    return None, [ChatTurn(role=t.role, content=t.content) for t in body.history]


# one event of the stream (OpenAPI before 3.2 describes each event with ``schema``)
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["meta", "delta", "blocked", "error", "done"]},
        "data": {"type": "string", "description": "a JSON object"},
    },
}


class EventStream(StreamingResponse):
    """``text/event-stream`` from an iterator of formatted events (the route checks the input
    and may answer 4xx before the stream starts, which a generator endpoint could not)."""

    media_type = "text/event-stream"


def _event(name: str, data: Any) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))


def build(models: RequestModels, auth_statuses: tuple[int, ...]) -> APIRouter:
    router = APIRouter(tags=["chat"])
    Body: Any = models.ChatRequest
    statuses = (400, *auth_statuses, 404, 413, 422, 502)
    errors = error_responses(*statuses)

    @router.post("/chat", response_model=ChatResult, responses=errors)
    async def chat(body: Body, request: Request, who: CallerDep) -> ChatResult:
        """Answer a question from the knowledge base, with citations."""
        state = app_state(request)
        session, history = await conversation(state, body, who)
        orch = state.orchestrator.variant(getattr(body, "prompt_variant", None))
        result: ChatResult = await orch.chat(
            body.question, history, request_id=request.state.request_id
        )
        if session is not None:
            session = await state.sessions.append(session, body.question, result.answer)
            result.session_id = session.session_id
        await record(request, "chat", result, body.question, result.answer, result.session_id or "")
        return result

    @router.post(
        "/chat/stream",
        response_class=EventStream,
        responses={
            200: {
                "description": STREAM_EVENTS,
                "content": {"text/event-stream": {"schema": SSE_EVENT}},
            },
            **error_responses(*statuses, by_reference=True),
        },
    )
    async def chat_stream(body: Body, request: Request, who: CallerDep) -> EventStream:
        """The same answer, streamed: text arrives as the model writes it, after screening."""
        state = app_state(request)
        session, history = await conversation(state, body, who)
        orch = state.orchestrator.variant(getattr(body, "prompt_variant", None))
        prepared = await orch.prepare_chat(body.question, history)  # 4xx before streaming
        request_id = request.state.request_id

        async def events() -> AsyncIterator[bytes]:
            nonlocal session
            session_id = session.session_id if session else None
            yield _event("meta", {"request_id": request_id, "session_id": session_id})
            result: ChatResult | None = None
            try:
                async for item in orch.stream_answer(prepared, request_id=request_id):
                    if isinstance(item, TextDelta):
                        yield _event("delta", {"text": item.text})
                    else:
                        result = item
            except ProviderError:
                error = {"code": "model_unavailable", "message": "the model provider failed"}
                yield _event("error", {"error": error, "request_id": request_id})
                return
            assert result is not None
            if result.output_blocked:
                yield _event("blocked", {"reasons": result.output_blocked})
            if session is not None:
                session = await state.sessions.append(session, body.question, result.answer)
                result.session_id = session.session_id
            await record(
                request, "chat", result, body.question, result.answer, result.session_id or ""
            )
            yield _event("done", result.model_dump())

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return EventStream(events(), headers=headers)

    return router
