"""What the harness evaluates: the app in-process (pull requests) or a running app by URL.

Both expose the same four async calls and return plain dicts shaped like the app's models
(ChatResult, RetrievedChunk, SummaryResult, ClassificationResult).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
from pathlib import Path
from typing import Any, Protocol

from eval._package import PACKAGE
from eval.errors import UsageError

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


def source_fingerprint(root: Path) -> str:
    """Hash of the app's code, prompts and grounding data: a change invalidates cached answers."""
    digest = hashlib.sha256()
    for folder in (root / "src" / PACKAGE, root / "prompts", root / "data" / "docs"):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()


class Target(Protocol):
    """The four calls the suites make, plus what identifies the responses for the cache."""

    kind: str
    cacheable: bool

    def identity(self) -> dict[str, Any]: ...
    async def chat(self, question: str) -> dict[str, Any]: ...
    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]: ...
    async def summarize(self, text: str) -> dict[str, Any]: ...
    async def classify(self, text: str) -> dict[str, Any]: ...
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

    def __init__(self, root: Path, overrides: dict[str, Any] | None = None) -> None:
        settings_mod = importlib.import_module(f"{PACKAGE}.settings")
        orchestrator_mod = importlib.import_module(f"{PACKAGE}.orchestrator")
        overrides = dict(overrides or {})
        fields = getattr(settings_mod.Settings, "model_fields", {})
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise UsageError(
                f"unknown setting(s) {', '.join(unknown)} (Settings has: {', '.join(sorted(fields))})"
            )
        try:
            self.settings = settings_mod.Settings(**overrides)
        except Exception as exc:  # pydantic ValidationError: bad value for a setting
            raise UsageError(f"invalid settings {overrides}: {exc}".splitlines()[0]) from None
        self.orchestrator = orchestrator_mod.Orchestrator.from_settings(self.settings)
        self.overrides = overrides
        self._fingerprint = source_fingerprint(root)

    def identity(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "settings": _redact(to_dict(self.settings)),
            "source": self._fingerprint,
        }

    async def chat(self, question: str) -> dict[str, Any]:
        return dict(to_dict(await self.orchestrator.chat(question)))

    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]:
        return list(to_dict(await self.orchestrator.retrieve(query, top=top)))

    async def summarize(self, text: str) -> dict[str, Any]:
        return dict(to_dict(await self.orchestrator.summarize(text)))

    async def classify(self, text: str) -> dict[str, Any]:
        return dict(to_dict(await self.orchestrator.classify(text)))

    async def aclose(self) -> None:
        close = getattr(self.orchestrator, "aclose", None)
        if close is not None:
            await close()


class HttpTarget:
    """A running app (staging, production) reached over its HTTP API.

    Responses of a live service change under us, so they are never cached.
    """

    kind = "url"
    cacheable = False

    def __init__(self, base_url: str, timeout_s: float = 120.0) -> None:
        import httpx

        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"URL must start with http:// or https:// (got '{base_url}')")
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s)

    def identity(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.base_url}

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    async def chat(self, question: str) -> dict[str, Any]:
        return dict(await self._post("/chat", {"question": question}))

    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]:
        return list(await self._post("/retrieve", {"query": query, "top": top}))

    async def summarize(self, text: str) -> dict[str, Any]:
        return dict(await self._post("/summarize", {"text": text}))

    async def classify(self, text: str) -> dict[str, Any]:
        return dict(await self._post("/classify", {"text": text}))

    async def aclose(self) -> None:
        await self._client.aclose()
