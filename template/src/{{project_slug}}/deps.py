"""What every route needs, in one place: the app's state and the verified, rate-limited caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from .auth import Authenticator, Caller
from .guardrails import redact
from .ratelimit import RateLimiter, retry_after
from .schemas import RequestModels
from .sessions import Sessions
from .settings import Settings
from .store import AppStore, RequestRecord
from .store.base import MAX_STORED_CHARS


@dataclass
class AppState:
    settings: Settings
    store: AppStore
    sessions: Sessions
    authenticator: Authenticator
    limiter: RateLimiter
    models: RequestModels
    orchestrator: Any = None  # built at start-up (lifespan) unless a test passes one in


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.app
    return state


async def caller(request: Request) -> Caller:
    """FastAPI dependency of every model-calling route: authenticate, then rate-limit."""
    state = app_state(request)
    who = await state.authenticator(request)
    wait = state.limiter.check(who.id)
    if wait:
        raise HTTPException(
            429,
            f"rate limit of {state.limiter.per_minute} requests per minute reached",
            headers={"Retry-After": retry_after(wait)},
        )
    request.state.caller = who
    return who


CallerDep = Annotated[Caller, Depends(caller)]


async def record(
    request: Request, kind: str, result: Any, text_in: str, text_out: str, session_id: str = ""
) -> None:
    """Store the answered request (redacted), so feedback and online evaluation can find it."""
    state = app_state(request)
    who: Caller | None = getattr(request.state, "caller", None)
    await state.store.add_request(
        RequestRecord(
            request_id=result.request_id,
            correlation_id=getattr(request.state, "correlation_id", ""),
            session_id=session_id,
            caller=who.id if who and who.kind != "anonymous" else "",
            kind=kind,
            prompt_id=result.prompt_id,
            prompt_version=result.prompt_version,
            model=result.model,
            revision=state.settings.revision,
            input=redact(text_in)[:MAX_STORED_CHARS],
            output=redact(text_out)[:MAX_STORED_CHARS],
        )
    )
