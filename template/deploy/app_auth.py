"""Bearer tokens for calling the deployed app, which accepts Entra tokens only.

Every caller in a workflow (the canary's synthetic load, the load test; the online eval and the
red team use the eval harness's own copy, eval/app_auth.py) runs after an OIDC ``az login``
(azure/login) as the deploy or monitor identity. With ``AZURE_API_AUDIENCE`` (the app's
Application ID URI; deploy/contract.py ``AUDIENCE_VARIABLE``) set, it gets a token for that audience
with ``az account get-access-token`` (deploy/contract.py ``token_command``) and sends it as
``Authorization: Bearer``. The app accepts it when the identity is an allowed caller and the
token carries the app role (``API_APP_ROLE``, assigned by ``make azure-entra-callers``). Unset: no
header, for a local app without auth.

``python -m deploy.app_auth token`` prints a token (for ``LOADTEST_BEARER``; never log it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from deploy import contract

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]
#: refresh this long before the token expires
MARGIN_S = 300


class AuthError(RuntimeError):
    """No token could be had (not logged in, no role, no audience)."""


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)


class TokenSource:
    """Tokens for one audience, reused until shortly before they expire."""

    def __init__(self, audience: str, run: Runner = _run, clock: Callable[[], float] = time.time):
        if not audience.startswith(("api://", "https://")):
            raise AuthError(
                f"{contract.AUDIENCE_VARIABLE} must be an Application ID URI such as "
                f"api://<appId> (got '{audience}')"
            )
        self.audience = audience
        self._run = run
        self._clock = clock
        self._token = ""
        self._expires = 0.0

    def token(self) -> str:
        if self._token and self._clock() < self._expires - MARGIN_S:
            return self._token
        proc = self._run(contract.token_command(self.audience))
        if proc.returncode != 0:
            raise AuthError(
                f"az account get-access-token --resource {self.audience} failed: "
                f"{proc.stderr.strip()[-300:] or 'no output'} (az login first)"
            )
        try:
            answer = json.loads(proc.stdout)
            self._token = str(answer["accessToken"])
            self._expires = float(answer.get("expires_on") or self._clock() + 600)
        except (ValueError, KeyError, TypeError):
            raise AuthError("az account get-access-token: unexpected answer") from None
        return self._token


def from_env(run: Runner = _run) -> TokenSource | None:
    audience = os.environ.get(contract.AUDIENCE_VARIABLE, "").strip()
    return TokenSource(audience, run) if audience else None


def headers(source: TokenSource | None) -> dict[str, str]:
    return {"authorization": f"Bearer {source.token()}"} if source is not None else {}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["token"]:
        print("usage: python -m deploy.app_auth token", file=sys.stderr)
        return 2
    try:
        source = from_env()
        if source is None:
            print(f"error: {contract.AUDIENCE_VARIABLE} is not set", file=sys.stderr)
            return 2
        print(source.token())
    except AuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
