"""How the harness authenticates to a running app (``--url``): an Entra token or an API key.

Imported only on the ``--url`` paths (HttpTarget, the red team against an app).

The deployed app accepts Entra bearer tokens only (deploy/contract.py). With
``AZURE_API_AUDIENCE`` set (the app's Application ID URI, api://<appId>; the workflows pass the
GitHub variable of that name), every request carries a token for ``<audience>/.default`` from
azure-identity's ``AzureCliCredential``: the workflow's OIDC ``az login`` as the deploy or monitor
identity, or a developer's ``az login``. azure-identity caches the token and refreshes it before
it expires, so a long eval run keeps working. ``EVAL_TARGET_API_KEY`` sends ``X-API-Key`` instead
(an app run with ``APP_AUTH_MODE=api_key``). Neither: no credentials (a local app without auth).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from eval.errors import UsageError

#: deploy/contract.py AUDIENCE_VARIABLE (eval/ does not import deploy/: capabilities stand alone)
AUDIENCE_VARIABLE = "AZURE_API_AUDIENCE"
API_KEY_VARIABLE = "EVAL_TARGET_API_KEY"


def key_headers() -> dict[str, str]:
    key = os.environ.get(API_KEY_VARIABLE, "")
    return {"X-API-Key": key} if key else {}


def bearer_auth() -> Any:
    """An ``httpx.Auth`` that adds a fresh Entra token to each request, or None when no
    audience is configured."""
    audience = os.environ.get(AUDIENCE_VARIABLE, "").strip()
    if not audience:
        return None
    if not audience.startswith(("api://", "https://")):
        raise UsageError(
            f"{AUDIENCE_VARIABLE} must be an Application ID URI such as api://<appId> "
            f"(got '{audience}')"
        )
    try:
        from azure.identity import AzureCliCredential
    except ImportError as exc:  # pragma: no cover - azure-identity is an app dependency
        raise UsageError(f"{AUDIENCE_VARIABLE} needs azure-identity") from exc
    credential = AzureCliCredential()
    scope = audience.rstrip("/") + "/.default"
    return EntraAuth(lambda: credential.get_token(scope))


class EntraAuth(httpx.Auth):
    """``httpx.Auth``: a bearer token on every request, fetched again 5 minutes before it
    expires (``az`` runs in a thread, never on the event loop)."""

    MARGIN_S = 300

    def __init__(self, get_token: Callable[[], Any], clock: Callable[[], float] = time.time):
        self._get_token = get_token
        self._clock = clock
        self._token: Any = None

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._token.expires_on - self.MARGIN_S

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
        if not self._fresh():
            self._token = self._get_token()
        request.headers["Authorization"] = f"Bearer {self._token.token}"
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if not self._fresh():
            self._token = await asyncio.to_thread(self._get_token)
        request.headers["Authorization"] = f"Bearer {self._token.token}"
        yield request
