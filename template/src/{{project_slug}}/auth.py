"""Caller authentication: none (default), API keys, or Entra ID bearer tokens.

In Azure Container Apps you can also put built-in authentication in front of the app; this layer
makes the app safe on its own. Keys are compared in constant time. An Entra token must be signed
by the tenant (keys from its JWKS), be for this API (audience), come from the tenant (issuer), be
unexpired, carry one of the required delegated scopes (``scp``) or app roles (``roles``), and,
when ``APP_ENTRA_ALLOWED_CLIENT_IDS`` is set, come from an allowed client (``azp``/``appid``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from .settings import Settings


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``id`` keys rate limits and owns sessions; ``kind`` says how we know."""

    id: str
    kind: str  # anonymous | api_key | user | app


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status_code=403, detail=message)


def client_address(request: Request) -> str:
    """The address that reached the ingress: the last X-Forwarded-For hop (appended by the
    Container Apps ingress, so a client cannot forge it), else the socket peer."""
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if hops:
        return hops[-1]
    return request.client.host if request.client else "unknown"


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self.mode = settings.auth_mode
        self.keys = [k.get_secret_value().encode() for k in settings.api_keys]
        self.audience = settings.entra_audience
        tenant = settings.entra_tenant_id
        self.issuers = [
            f"https://login.microsoftonline.com/{tenant}/v2.0",
            f"https://sts.windows.net/{tenant}/",
        ]
        self.jwks_url = (
            settings.entra_jwks_url
            or f"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
        )
        self.scopes = set(settings.entra_required_scopes)
        self.roles = set(settings.entra_required_roles)
        self.clients = set(settings.entra_allowed_client_ids)
        self._jwks: Any = None

    async def __call__(self, request: Request) -> Caller:
        """FastAPI dependency: the verified caller (anonymous when auth is off)."""
        if self.mode == "none":
            return Caller(f"ip:{client_address(request)}", "anonymous")
        if self.mode == "api_key":
            given = request.headers.get("x-api-key", "").encode()
            for key in self.keys:
                if given and hmac.compare_digest(given, key):
                    return Caller(f"key:{hashlib.sha256(key).hexdigest()[:12]}", "api_key")
            raise _unauthorized("missing or invalid API key (header X-API-Key)")
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise _unauthorized("missing bearer token")
        # the JWKS fetch is blocking I/O (PyJWKClient): off the event loop
        claims = await run_in_threadpool(self._verify, header[7:].strip())
        return self._authorize(claims)

    def _verify(self, token: str) -> dict[str, Any]:
        import jwt

        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True, timeout=10)
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuers,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise _unauthorized(f"invalid token: {type(exc).__name__}") from None
        return claims

    def _authorize(self, claims: dict[str, Any]) -> Caller:
        """Permissions, not just identity: a scope or role we require, from a client we allow."""
        scopes = set(str(claims.get("scp") or "").split())
        roles = {str(r) for r in claims.get("roles") or [] if isinstance(r, str)}
        if not (scopes & self.scopes or roles & self.roles):
            raise _forbidden("the token has none of the required scopes or roles")
        client = str(claims.get("azp") or claims.get("appid") or "")
        if self.clients and client not in self.clients:
            raise _forbidden("the calling application is not allowed")
        subject = str(claims.get("oid") or claims.get("sub") or "unknown")
        return Caller(f"entra:{subject}", "user" if scopes & self.scopes else "app")
