"""Pure ASGI middleware (no per-request task, streaming untouched): a server-made request id for
every request, the client's ``X-Request-ID`` kept only as a correlation id, the body limit, and
the request metrics; the request id goes on the request's SERVER span (FastAPI instrumentation).

The body limit counts the bytes as they are received, so a chunked body (no Content-Length)
is cut at the limit too; a declared Content-Length over the limit is refused before reading."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .store.base import new_id

_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContext:
    def __init__(
        self, app: ASGIApp, telemetry: Callable[[], Any], max_body_bytes: int | None = None
    ) -> None:
        self.app = app
        self.telemetry = telemetry  # () -> Telemetry | None (None until the orchestrator exists)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_id()
        given = _header(scope, b"x-request-id")
        correlation = given if _CORRELATION.match(given) else ""
        state = scope.setdefault("state", {})
        state.update(request_id=request_id, correlation_id=correlation)
        status = 500
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                if correlation:
                    headers.append((b"x-correlation-id", correlation.encode()))
                message["headers"] = headers
            await send(message)

        telemetry = self.telemetry()
        length = _header(scope, b"content-length")
        app = self.app
        limit = self.max_body_bytes
        if limit and length.isdigit() and int(length) > limit:
            app = _too_large(limit, request_id)
        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            if limit and message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # FastAPI re-raises it from the body read: the 413 envelope
                    raise HTTPException(413, f"request body over {limit} bytes")
            return message

        if telemetry is not None:
            # on the request's own SERVER span (one `requests` row), not a span of its own: a
            # second span per request would be a `dependencies` row duplicating every request
            telemetry.annotate_request(request_id)
        try:
            await app(scope, receive_counted, send_with_ids)
        finally:
            if telemetry is not None:
                route = scope.get("route")
                telemetry.request(
                    route=getattr(route, "path", "unmatched"),
                    status=status,
                    seconds=time.perf_counter() - started,
                )


def _too_large(limit: int, request_id: str) -> ASGIApp:
    from starlette.responses import JSONResponse

    error = {"code": "payload_too_large", "message": f"request body over {limit} bytes"}
    return JSONResponse({"error": error, "request_id": request_id}, status_code=413)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""
