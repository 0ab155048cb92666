"""The error envelope: every error is ``{"error": {code, message, ...}, "request_id"}`` with the
request id also in ``X-Request-ID``; clients never see a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .guardrails import GuardrailBlocked, RedactingFilter

log = logging.getLogger(__name__)
log.addFilter(RedactingFilter())

CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
}


def error_response(
    status: int, code: str, message: str, request: Request, **extra: Any
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {"error": {"code": code, "message": message, **extra}, "request_id": request_id}
    return JSONResponse(body, status_code=status)


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in location[1:]) or str(location[0] if location else "body")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the envelope."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": _field(tuple(e["loc"])), "problem": e["msg"]} for e in exc.errors()]
        message = "the request body is not valid"
        return error_response(422, "invalid_request", message, request, details=details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = CODES.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail), request)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(GuardrailBlocked)
    async def blocked(request: Request, exc: GuardrailBlocked) -> JSONResponse:
        message = "the input was rejected by the guardrails"
        return error_response(400, "input_rejected", message, request, reasons=list(exc.reasons))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc).splitlines()[0][:300], request)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        from .orchestrator import ProviderError

        if isinstance(exc, ProviderError):
            log.warning("provider error on %s: %s", request.url.path, exc.__cause__ or exc)
            message = "the model provider failed; retry later"
            return error_response(502, "model_unavailable", message, request)
        log.exception("unhandled error on %s", request.url.path)
        message = "internal error; quote the request id"
        return error_response(500, "internal_error", message, request)
