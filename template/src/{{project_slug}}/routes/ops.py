"""Liveness, readiness and what this deployment is (the UI reads /info)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .. import DEFAULT_USE_CASE, PROJECT_NAME, __version__
from ..deps import app_state
from ..use_cases import USE_CASES, UseCase

router = APIRouter(tags=["operations"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok", "version": __version__}


@router.get("/ready", responses={503: {"description": "the index is missing or stale"}})
async def ready(request: Request) -> JSONResponse:
    """Readiness: the index is loaded and built with the configured embedding model."""
    state = app_state(request)
    readiness = state.orchestrator.readiness()
    body = {
        "status": "ready" if readiness["ready"] else "not_ready",
        **readiness,
        "use_case": state.settings.use_case,
    }
    return JSONResponse(body, status_code=200 if readiness["ready"] else 503)


@router.get("/info")
async def info(request: Request) -> dict[str, Any]:
    """Name, version, use case, model and prompt versions, the variants a client may pick."""
    state = app_state(request)
    orch = state.orchestrator
    return {
        "name": PROJECT_NAME,
        "version": __version__,
        "use_case": DEFAULT_USE_CASE,
        "model": orch.services.chat_model,
        "prompt_variant": orch.prompts.variant,
        "prompt_variants": state.settings.ui_prompt_variants,
        "prompts": {pid: p.version for pid, p in orch.prompts.prompts.items()},
        "auth_mode": state.settings.auth_mode,
        "endpoints": [
            *(f"POST {route}" for use_case in USE_CASES.values() for route in _routes(use_case)),
            "POST /feedback",
            "GET /health",
            "GET /ready",
            "GET /info",
        ],
    }


def _routes(use_case: UseCase) -> tuple[str, ...]:
    """A conversational use case is also streamed (``routes/chat``)."""
    if use_case.input == "question":
        return (use_case.route, f"{use_case.route}/stream")
    return (use_case.route,)
