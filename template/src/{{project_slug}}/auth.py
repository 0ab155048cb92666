"""Optional caller authentication: none (default), API keys, or Entra ID bearer tokens.

In Azure Container Apps you can also put built-in authentication in front of the app; this layer
makes the app safe on its own. Keys are compared in constant time; Entra tokens are verified
against the tenant's published signing keys (issuer, audience, expiry, signature).
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from .settings import Settings


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.mode = settings.auth_mode
        self.keys = [k.get_secret_value().encode() for k in settings.api_keys]
        self.audience = settings.entra_audience
        tenant = settings.entra_tenant_id
        self.issuers = [f"https://login.microsoftonline.com/{tenant}/v2.0",
                        f"https://sts.windows.net/{tenant}/"]  # fmt: skip
        self.jwks_url = (
            settings.entra_jwks_url
            or f"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
        )
        self._jwks: Any = None

    async def __call__(self, request: Request) -> str | None:
        """FastAPI dependency: returns the caller's identity (or None when auth is off)."""
        if self.mode == "none":
            return None
        if self.mode == "api_key":
            given = request.headers.get("x-api-key", "").encode()
            if given and any(hmac.compare_digest(given, key) for key in self.keys):
                return "api-key"
            raise _unauthorized("missing or invalid API key (header X-API-Key)")
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise _unauthorized("missing bearer token")
        return await run_in_threadpool(self._verify, header[7:].strip())

    def _verify(self, token: str) -> str:
        import jwt

        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True)
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"], audience=self.audience, issuer=self.issuers,
                options={"require": ["exp", "iss", "aud"]},
            )  # fmt: skip
        except jwt.PyJWTError as exc:
            raise _unauthorized(f"invalid token: {type(exc).__name__}") from None
        return str(claims.get("oid") or claims.get("sub") or "unknown")
