"""HTTP surface: chat with citations, summarize, classify, feedback, health and readiness.

HTTP only: validation, limits, auth, error mapping and request telemetry. Everything else is
the orchestrator's job. Clients never see a stack trace; every error is ``{"error": {...}}`` with
the request id, which is also returned in the ``X-Request-ID`` header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from . import DEFAULT_USE_CASE, PROJECT_NAME, __version__
from .auth import Authenticator
from .feedback import FeedbackStore, UnknownRequest
from .guardrails import GuardrailBlocked, RedactingFilter
from .models import ChatResult, ChatTurn, ClassificationResult, SummaryResult
from .settings import Settings, get_settings
from .telemetry import emit_feedback, instrument_app

log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HARD_MAX_CHARS = 100_000  # the configurable limits (settings) are checked below this cap


class ChatRequest(BaseModel):
    question: str = Field(min_length=1, max_length=HARD_MAX_CHARS)
    history: list[ChatTurn] = Field(default_factory=list, max_length=100)


class TextRequest(BaseModel):
    text: str | None = Field(default=None, min_length=1, max_length=HARD_MAX_CHARS)
    doc_id: str | None = Field(default=None, min_length=1, max_length=300)


class FeedbackRequest(BaseModel):
    request_id: str = Field(min_length=1, max_length=64)
    rating: int = Field(ge=1, le=5, description="1 (bad) to 5 (good)")
    comment: str = Field(default="", max_length=2000)


def _error(status: int, code: str, message: str, request: Request, **extra: Any) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {"error": {"code": code, "message": message, **extra}, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers={"X-Request-ID": request_id})


def create_app(settings: Settings | None = None, orchestrator: Any = None) -> FastAPI:
    """The ASGI app; the orchestrator is built at start-up unless one is passed in (tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.orchestrator is None:
            from .orchestrator import Orchestrator

            app.state.orchestrator = Orchestrator.from_settings(settings)
        yield

    app = FastAPI(title=PROJECT_NAME, version=__version__, lifespan=lifespan)
    instrument_app(app, settings)
    app.state.orchestrator = orchestrator
    app.state.feedback = FeedbackStore(settings.feedback_path)
    authenticate = Authenticator(settings)

    @app.middleware("http")
    async def envelope(request: Request, call_next: Any) -> Any:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        started = time.perf_counter()
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > settings.max_body_bytes:
            response = _error(413, "payload_too_large",
                              f"request body over {settings.max_body_bytes} bytes", request)  # fmt: skip
        else:
            orch = app.state.orchestrator
            if orch is not None:
                with orch.telemetry.span(f"{request.method} {request.url.path}",
                                         **{"http.request_id": request.state.request_id}):  # fmt: skip
                    response = await call_next(request)
            else:
                response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        if app.state.orchestrator is not None:
            app.state.orchestrator.telemetry.request(
                route=request.url.path, status=response.status_code,
                seconds=time.perf_counter() - started,
            )  # fmt: skip
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"][1:]), "problem": e["msg"]}
                   for e in exc.errors()]  # fmt: skip
        return _error(
            422, "invalid_request", "the request body is not valid", request, details=details
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        codes = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}
        response = _error(exc.status_code, codes.get(exc.status_code, "http_error"),
                          str(exc.detail), request)  # fmt: skip
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(GuardrailBlocked)
    async def blocked(request: Request, exc: GuardrailBlocked) -> JSONResponse:
        return _error(400, "input_rejected", "the input was rejected by the guardrails", request,
                      reasons=list(exc.reasons))  # fmt: skip

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> JSONResponse:
        return _error(422, "invalid_request", str(exc).splitlines()[0][:300], request)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        from .orchestrator import ProviderError

        if isinstance(exc, ProviderError):
            log.warning("provider error on %s: %s", request.url.path, exc.__cause__ or exc)
            return _error(
                502, "model_unavailable", "the model provider failed; retry later", request
            )
        log.exception("unhandled error on %s", request.url.path)
        return _error(500, "internal_error", "internal error; quote the request id", request)

    def orch(request: Request) -> Any:
        return request.app.state.orchestrator

    @app.get("/health")
    async def health() -> dict[str, str]:
        """Liveness: the process is up and serving."""
        return {"status": "ok", "version": __version__}

    @app.get("/ready")
    async def ready(request: Request) -> JSONResponse:
        """Readiness: the index is loaded and built with the configured embedding model."""
        state = orch(request).readiness()
        status = 200 if state["ready"] else 503
        return JSONResponse({"status": "ready" if state["ready"] else "not_ready", **state,
                             "use_case": settings.use_case}, status_code=status)  # fmt: skip

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"name": PROJECT_NAME, "version": __version__, "use_case": DEFAULT_USE_CASE,
                "endpoints": ["POST /chat", "POST /summarize", "POST /classify",
                              "POST /feedback", "GET /health", "GET /ready"]}  # fmt: skip

    def _record(request: Request, kind: str, result: Any, input_text: str, output: str) -> None:
        request.app.state.feedback.record_request(
            result.request_id, kind, result.prompt_id, result.prompt_version, result.model,
            settings.revision, input_text, output,
        )  # fmt: skip

    @app.post("/chat", response_model=ChatResult, dependencies=[Depends(authenticate)])
    async def chat(body: ChatRequest, request: Request) -> ChatResult:
        result: ChatResult = await orch(request).chat(
            body.question, body.history, request_id=request.state.request_id
        )
        _record(request, "chat", result, body.question, result.answer)
        return result

    async def _text_of(body: TextRequest, request: Request) -> str:
        if bool(body.text) == bool(body.doc_id):
            raise ValueError("send exactly one of 'text' or 'doc_id'")
        if body.doc_id:
            try:
                return str(orch(request).document_text(body.doc_id))
            except KeyError:
                raise HTTPException(404, f"no document {body.doc_id!r}") from None
        return str(body.text)

    @app.post("/summarize", response_model=SummaryResult, dependencies=[Depends(authenticate)])
    async def summarize(body: TextRequest, request: Request) -> SummaryResult:
        text = await _text_of(body, request)
        result: SummaryResult = await orch(request).summarize(
            text, request_id=request.state.request_id
        )
        _record(request, "summarize", result, text, result.summary)
        return result

    @app.post(
        "/classify", response_model=ClassificationResult, dependencies=[Depends(authenticate)]
    )
    async def classify(body: TextRequest, request: Request) -> ClassificationResult:
        text = await _text_of(body, request)
        result: ClassificationResult = await orch(request).classify(
            text, request_id=request.state.request_id
        )
        _record(request, "classify", result, text, result.label)
        return result

    @app.post("/feedback", status_code=201, dependencies=[Depends(authenticate)])
    async def feedback(body: FeedbackRequest, request: Request) -> dict[str, Any]:
        try:
            feedback_id = request.app.state.feedback.add_feedback(
                body.request_id, body.rating, body.comment
            )
        except UnknownRequest:
            raise HTTPException(404, f"unknown request id {body.request_id!r}") from None
        emit_feedback(body.request_id, body.rating, feedback_id)
        return {"status": "stored", "feedback_id": feedback_id, "request_id": body.request_id}

    return app


def __getattr__(name: str) -> Any:
    """``uvicorn <pkg>.api:app`` builds the app on first access, not at import."""
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
