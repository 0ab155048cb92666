"""The ASGI app: middleware, error envelope and one router per use case.

HTTP only: validation, limits, auth, rate limits, error mapping and request ids. Everything else
is the orchestrator's job. Run it with ``python -m <package> serve`` (workers, keep-alive and
timeouts from :mod:`serving`) or ``uvicorn <package>.api:app``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from . import PROJECT_NAME, __version__, errors
from .auth import Authenticator
from .deps import AppState
from .middleware import RequestContext
from .ratelimit import RateLimiter
from .routes import chat, feedback, ops, tasks, ui
from .schemas import request_models
from .sessions import Sessions
from .settings import Settings, get_settings
from .store import AppStore, open_store
from .telemetry import instrument_app


def create_app(
    settings: Settings | None = None, orchestrator: Any = None, store: AppStore | None = None
) -> FastAPI:
    """The app; the orchestrator is built at start-up unless one is passed in (tests)."""
    settings = settings or get_settings()
    store = store or open_store(settings)
    state = AppState(
        settings=settings,
        store=store,
        sessions=Sessions(
            store, settings.session_ttl_s, settings.max_history_turns, settings.session_max_tokens
        ),
        authenticator=Authenticator(settings),
        limiter=RateLimiter(settings.rate_limit_per_minute),
        models=request_models(settings),
        orchestrator=orchestrator,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.orchestrator is None:
            from .orchestrator import Orchestrator

            state.orchestrator = Orchestrator.from_settings(settings)
        for variant in settings.ui_prompt_variants:  # a missing variant fails here, not later
            state.orchestrator.variant(variant)
        yield
        await store.close()

    app = FastAPI(title=PROJECT_NAME, version=__version__, lifespan=lifespan)
    instrument_app(app, settings)
    app.state.app = state
    app.add_middleware(
        RequestContext,
        telemetry=lambda: state.orchestrator.telemetry if state.orchestrator else None,
        max_body_bytes=settings.max_body_bytes,
    )
    errors.install(app)
    auth = () if settings.auth_mode == "none" else (401, 403)
    limits = (429,) if settings.rate_limit_per_minute else ()
    for build in (chat.build, tasks.build, feedback.build):
        app.include_router(build(state.models, auth + limits))
    app.include_router(ops.router)
    if settings.ui_enabled:
        app.include_router(ui.router)
        app.mount("/static", ui.static_files(), name="static")
    return app


def __getattr__(name: str) -> Any:
    """``uvicorn <pkg>.api:app`` builds the app on first access, not at import."""
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
