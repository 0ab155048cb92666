"""What the harness evaluates: the app in-process (pull requests) or a running app by URL.

Both expose the same async calls (chat, retrieve, and ``run`` for a text use case of the app's
registry) and return plain dicts shaped like the app's models (ChatResult, RetrievedChunk, the
handler's result: SummaryResult, ClassificationResult, ...).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import os
from pathlib import Path
from typing import Any, Protocol

from eval._package import PACKAGE
from eval.errors import AppStartError, UsageError
from eval.producer import Producer
from eval.scope import prompt_files
from eval.use_cases import USE_CASES

SECRET_HINTS = ("key", "secret", "token", "password", "connection_string")


def to_dict(value: Any) -> Any:
    """pydantic models, dataclasses, lists of them -> JSON-ready values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(dataclasses.asdict(value))
    if isinstance(value, list | tuple):
        return [to_dict(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_dict(v) for k, v in value.items()}
    return value


def source_fingerprint(root: Path, *extra: Path) -> str:
    """Hash of the app's code, prompts and grounding data: a change invalidates cached answers."""
    digest = hashlib.sha256()
    folders = dict.fromkeys([root / "src" / PACKAGE, root / "prompts", root / "data" / "docs"])
    folders.update(dict.fromkeys(root / p for p in extra))
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()


class Target(Protocol):
    """The calls the suites make, plus what identifies the responses for the cache."""

    kind: str
    cacheable: bool
    can_retrieve: bool

    def identity(self) -> dict[str, Any]: ...
    def producer(self, models: set[str] | None = None) -> Producer: ...
    def prompt_files(self) -> dict[str, dict[str, str]]: ...
    async def prepare(self) -> None: ...
    async def chat(self, question: str) -> dict[str, Any]: ...
    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]: ...
    async def run(self, use_case: str, text: str) -> dict[str, Any]: ...
    async def aclose(self) -> None: ...


def _redact(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("<redacted>" if any(h in k.lower() for h in SECRET_HINTS) and v else v)
        for k, v in settings.items()
    }


class InProcessTarget:
    """The app's Orchestrator built from Settings plus the variant's overrides."""

    kind = "in-process"
    cacheable = True
    can_retrieve = True

    def __init__(self, root: Path, overrides: dict[str, Any] | None = None) -> None:
        settings_mod = importlib.import_module(f"{PACKAGE}.settings")
        orchestrator_mod = importlib.import_module(f"{PACKAGE}.orchestrator")
        overrides = dict(overrides or {})
        fields = getattr(settings_mod.Settings, "model_fields", {})
        if "telemetry_exporter" in fields and "APP_TELEMETRY_EXPORTER" not in os.environ:
            overrides.setdefault("telemetry_exporter", "none")  # keep the report clean
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            known = ", ".join(sorted(fields))
            raise UsageError(f"unknown setting(s) {', '.join(unknown)} (Settings has: {known})")
        try:
            self.settings = settings_mod.Settings(**overrides)
        except Exception as exc:  # pydantic ValidationError: bad value for a setting
            raise UsageError(f"invalid settings {overrides}: {exc}".splitlines()[0]) from None
        try:
            self.orchestrator = orchestrator_mod.Orchestrator.from_settings(self.settings)
        except Exception as exc:  # the app cannot start: the gate fails, with one line
            raise AppStartError(f"the app did not start: {type(exc).__name__}: {exc}") from exc
        self.overrides = overrides
        paths = [
            getattr(self.settings, n)
            for n in ("prompts_path", "docs_path")
            if hasattr(self.settings, n)
        ]
        self._fingerprint = source_fingerprint(root, *[Path(p) for p in paths])

    async def prepare(self) -> None:
        """Bring the index up to date with the settings (a variant may chunk differently)."""
        readiness = getattr(self.orchestrator, "readiness", None)
        if readiness is not None and not readiness().get("ready", True):
            await self.orchestrator.ingest()

    def identity(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "settings": _redact(to_dict(self.settings)),
            "source": self._fingerprint,
        }

    def producer(self, models: set[str] | None = None) -> Producer:
        """Known before any call: the settings name the provider, the services the models."""
        services = self.orchestrator.services
        return Producer(
            provider=str(self.settings.provider),
            chat_model=str(services.chat_model),
            embedding=dict(services.embedding),
            target=self.kind,
        )

    def prompt_files(self) -> dict[str, dict[str, str]]:
        return prompt_files(self.orchestrator.prompts)

    async def chat(self, question: str) -> dict[str, Any]:
        return dict(to_dict(await self.orchestrator.chat(question)))

    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]:
        return list(to_dict(await self.orchestrator.retrieve(query, top=top)))

    async def run(self, use_case: str, text: str) -> dict[str, Any]:
        """A text use case (summarize, classify, ...): its handler, as the API runs it."""
        return dict(to_dict(await USE_CASES[use_case].run(self.orchestrator, text)))

    async def aclose(self) -> None:
        close = getattr(self.orchestrator, "aclose", None)
        if close is not None:
            await close()


class HttpTarget:
    """A running app (staging, production) reached over its HTTP API.

    Responses of a live service change under us, so they are never cached. The API has no
    search endpoint: retrieval is scored on the documents the answer cites, in their order.
    Credentials come from eval/app_auth.py: an Entra token for ``AZURE_API_AUDIENCE`` (the
    deployed app), or ``EVAL_TARGET_API_KEY`` as ``X-API-Key``.
    """

    kind = "url"
    cacheable = False
    can_retrieve = False

    def __init__(self, base_url: str, timeout_s: float = 120.0, provider: str = "") -> None:
        import httpx

        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"URL must start with http:// or https:// (got '{base_url}')")
        self.base_url = base_url.rstrip("/")
        self.provider = provider or os.environ.get("EVAL_TARGET_PROVIDER", "")
        from eval.app_auth import bearer_auth, key_headers

        self._client = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout_s, headers=key_headers(), auth=bearer_auth()
        )

    async def prepare(self) -> None:
        return None

    def identity(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.base_url}

    def producer(self, models: set[str] | None = None) -> Producer:
        """From ``--provider``, else from the answers: the offline model names itself."""
        models = set(models or ())
        provider = self.provider
        if not provider:
            local = importlib.import_module(f"{PACKAGE}.local_chat").MODEL_ID
            provider = "local" if models == {local} else "azure_openai"
        return Producer(
            provider=provider,
            chat_model=",".join(sorted(models)) or "unknown",
            embedding=None,  # not visible over HTTP
            target=self.kind,
        )

    def prompt_files(self) -> dict[str, dict[str, str]]:
        return {}  # a deployed app's prompts are whatever its image holds

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    async def chat(self, question: str) -> dict[str, Any]:
        return dict(await self._post("/chat", {"question": question}))

    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]:
        raise NotImplementedError("the app's HTTP API has no search endpoint")

    async def run(self, use_case: str, text: str) -> dict[str, Any]:
        return dict(await self._post(USE_CASES[use_case].route, {"text": text}))

    async def aclose(self) -> None:
        await self._client.aclose()
