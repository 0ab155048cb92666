"""The Semantic Kernel orchestrator: one kernel, prompt functions from prompts/, the retrieval
plugin, the model services chosen by settings, guardrails around every input.

``api.py`` and the eval harness both use this class, so what is evaluated is what is served.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

from .guardrails import Guard, GuardrailBlocked, build_guard
from .models import (
    ChatResult,
    ChatTurn,
    Citation,
    ClassificationResult,
    RetrievedChunk,
    SummaryResult,
    Usage,
)  # fmt: skip
from .prompts import PromptLibrary
from .providers import Services, build_services
from .retrieval.factory import build_store, manifest_path
from .retrieval.ingest import IngestReport, ingest, parameters
from .retrieval.loaders import discover, doc_id_for, load
from .retrieval.plugin import RetrievalPlugin, format_sources
from .retrieval.store import Store
from .settings import Settings, get_settings
from .telemetry import Telemetry, configure
from .textutil import terms

_CITATION = re.compile(r"\[(?:source:\s*)?([^\[\]\s]+#\d+)\]")


class ProviderError(RuntimeError):
    """The model provider failed (network, quota, bad response); safe to report as 502."""


class Orchestrator:
    def __init__(
        self, settings: Settings, kernel: Any, services: Services, store: Store,
        prompts: PromptLibrary, guard: Guard, telemetry: Telemetry,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.kernel = kernel
        self.services = services
        self.store = store
        self.prompts = prompts
        self.guard = guard
        self.telemetry = telemetry
        self._functions = {pid: p.to_function() for pid, p in prompts.prompts.items()}

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Orchestrator:
        from semantic_kernel import Kernel

        settings = settings or get_settings()
        configure(settings)
        services = build_services(settings)
        store = build_store(settings)
        kernel = Kernel()
        kernel.add_service(services.chat)
        kernel.add_service(services.embeddings)
        kernel.add_plugin(RetrievalPlugin(store, services.embeddings), plugin_name="retrieval")
        prompts = PromptLibrary(settings.prompts_path, settings.prompt_variant)
        return cls(settings, kernel, services, store, prompts, build_guard(settings),
                   Telemetry(settings.revision))  # fmt: skip

    # --- grounding data -----------------------------------------------------------------------
    async def ingest(self, full: bool = False) -> IngestReport:
        s = self.settings
        return await ingest(
            s.docs_path, self.store, self.services.embeddings.generate_embeddings,
            parameters(s.chunk_size, s.chunk_overlap, self.services.embedding),
            manifest_path=manifest_path(s), full=full,
        )  # fmt: skip

    def readiness(self) -> dict[str, Any]:
        """Index state for /ready: chunk count, index version, whether the embedding matches."""
        expected = json.dumps(
            parameters(
                self.settings.chunk_size, self.settings.chunk_overlap, self.services.embedding
            ),
            sort_keys=True,
        )
        chunks = self.store.count_chunks()
        current = self.store.get_meta("parameters") == expected
        return {"ready": chunks > 0 and current, "chunks": chunks, "parameters_current": current,
                "index_version": self.store.get_meta("index_version")}  # fmt: skip

    def document_text(self, doc_id: str) -> str:
        """The normalised text of one grounding document (for summarising it)."""
        root = self.settings.docs_path
        for path in discover(root):
            if doc_id_for(path, root) == doc_id:
                return load(path, root).text
        raise KeyError(doc_id)

    async def retrieve(self, query: str, top: int = 5) -> list[RetrievedChunk]:
        with self.telemetry.span("retrieve", **{"retrieval.top": top}):
            result = await self.kernel.invoke(
                plugin_name="retrieval", function_name="search", query=query, top=top
            )
            return list(result.value) if result is not None else []

    # --- the use cases ------------------------------------------------------------------------
    async def chat(
        self, question: str, history: list[ChatTurn] | list[dict[str, str]] | None = None,
        request_id: str | None = None,
    ) -> ChatResult:  # fmt: skip
        question = question.strip()
        if not question or len(question) > self.settings.max_question_chars:
            raise ValueError(f"question must be 1..{self.settings.max_question_chars} characters")
        turns = [
            t if isinstance(t, ChatTurn) else ChatTurn.model_validate(t) for t in history or []
        ]
        turns = turns[-self.settings.max_history_turns :] if self.settings.max_history_turns else []
        await self._screen_input(question)
        query = question
        if turns and len(terms(question)) <= 3:  # a follow-up: search with the previous question
            query = " ".join([*(t.content for t in turns if t.role == "user")][-1:] + [question])
        chunks = await self._screened(await self.retrieve(query, self.settings.top_k))
        history_text = "\n".join(f"{t.role}: {t.content}" for t in turns)
        text, meta = await self._invoke(
            "rag_answer", question=question, sources=format_sources(chunks) or "(none)",
            history=history_text or "(none)",
        )  # fmt: skip
        by_id = {c.chunk_id: c for c in chunks}
        cited = list(dict.fromkeys(i for i in _CITATION.findall(text) if i in by_id))
        citations = [
            Citation(
                doc_id=by_id[i].doc_id,
                chunk_id=i,
                title=by_id[i].title,
                source=by_id[i].source,
                score=by_id[i].score,
            )  # fmt: skip
            for i in cited
        ]
        return ChatResult(
            answer=text, citations=citations, request_id=request_id or _new_id(), **meta
        )

    async def summarize(self, text: str, request_id: str | None = None) -> SummaryResult:
        text = self._check_text(text)
        await self._screen_document(text)
        summary, meta = await self._invoke("summarize", text=text)
        return SummaryResult(summary=summary, request_id=request_id or _new_id(), **meta)

    async def classify(self, text: str, request_id: str | None = None) -> ClassificationResult:
        text = self._check_text(text)
        await self._screen_document(text)
        categories = load_categories(self.settings.categories_path)
        lines = "\n".join(
            f"- {c['name']}: {c.get('description', '')} (signals: {', '.join(c.get('signals', []))})"
            for c in categories
        )
        raw, meta = await self._invoke("classify_log", categories=lines, text=text)
        fields = parse_classification(raw, {c["name"] for c in categories})
        return ClassificationResult(request_id=request_id or _new_id(), **fields, **meta)

    # --- internals ----------------------------------------------------------------------------
    def _check_text(self, text: str) -> str:
        text = text.strip()
        if not text or len(text) > self.settings.max_text_chars:
            raise ValueError(f"text must be 1..{self.settings.max_text_chars} characters")
        return text

    async def _screen_input(self, text: str) -> None:
        verdict = await self.guard.check_input(text)
        if not verdict.allowed:
            self.telemetry.guard_blocks.add(
                1, {"where": "input", "revision": self.settings.revision}
            )
            raise GuardrailBlocked(verdict.reasons)

    async def _screen_document(self, text: str) -> None:
        verdict = (await self.guard.check_documents([text]))[0]
        if not verdict.allowed:
            self.telemetry.guard_blocks.add(
                1, {"where": "text", "revision": self.settings.revision}
            )
            raise GuardrailBlocked(verdict.reasons)

    async def _screened(self, chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """Drop retrieved chunks that carry injected instructions (indirect prompt injection)."""
        if not chunks:
            return chunks
        verdicts = await self.guard.check_documents([c.text for c in chunks])
        kept = [c for c, v in zip(chunks, verdicts, strict=True) if v.allowed]
        if len(kept) < len(chunks):
            self.telemetry.guard_blocks.add(len(chunks) - len(kept), {"where": "documents"})
        return kept

    async def _invoke(self, prompt_id: str, **arguments: str) -> tuple[str, dict[str, Any]]:
        """Render and run one prompt function; returns (text, traced metadata)."""
        from semantic_kernel.functions import KernelArguments

        prompt = self.prompts.get(prompt_id)
        prompt.check_arguments(arguments)
        model = self.services.chat_model
        started = time.perf_counter()
        attrs = {"prompt.id": prompt.id, "prompt.version": prompt.version, "model": model}
        usage = Usage()
        ok = False
        with self.telemetry.span(f"model {prompt.id}", **attrs) as span:
            try:
                kernel_arguments = KernelArguments()
                kernel_arguments.update(arguments)
                result = await self.kernel.invoke(self._functions[prompt_id], kernel_arguments)
                ok = True
            except Exception as exc:
                span.record_exception(exc)
                raise ProviderError(f"model call failed: {type(exc).__name__}") from exc
            finally:
                if not ok:
                    self.telemetry.model_call(
                        prompt_id=prompt.id, prompt_version=prompt.version, model=model,
                        seconds=time.perf_counter() - started, prompt_tokens=0,
                        completion_tokens=0, ok=False,
                    )  # fmt: skip
            messages = result.value if result is not None else None
            message = messages[0] if isinstance(messages, list) and messages else None
            text = str(message.content if message is not None else result or "").strip()
            raw_usage = (message.metadata or {}).get("usage") if message is not None else None
            if raw_usage is not None:
                p, c = raw_usage.prompt_tokens or 0, raw_usage.completion_tokens or 0
                usage = Usage(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)
            model = getattr(message, "ai_model_id", None) or model
            span.set_attribute("gen_ai.usage.input_tokens", usage.prompt_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.completion_tokens)
            self.telemetry.evaluate_output(prompt.id, arguments, text)
        self.telemetry.model_call(
            prompt_id=prompt.id, prompt_version=prompt.version, model=model,
            seconds=time.perf_counter() - started, prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens, ok=True,
        )  # fmt: skip
        return text, {"prompt_id": prompt.id, "prompt_version": prompt.version, "model": model,
                      "usage": usage}  # fmt: skip


def _new_id() -> str:
    return uuid.uuid4().hex


def load_categories(path: Path) -> list[dict[str, Any]]:
    """The configured categories (``data/categories.yaml``), validated."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read categories from {path}: {exc}") from exc
    categories = data.get("categories") if isinstance(data, dict) else None
    if not categories or not all(isinstance(c, dict) and c.get("name") for c in categories):
        raise ValueError(f"{path}: expected 'categories:' with a name for each entry")
    return list(categories)


def parse_classification(raw: str, names: set[str]) -> dict[str, Any]:
    """The model's JSON reply, normalised: an unknown label becomes a proposed new category."""
    match = re.search(r"\{.*\}", raw, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else {}
    except ValueError:
        data = {}
    label = str(data.get("label") or "other").strip()
    proposed = data.get("proposed_category")
    is_new = bool(data.get("is_new_category")) or label not in names
    if label not in names:
        proposed = proposed or (label if label != "other" else None)
        label = "other"
    probabilities = data.get("probabilities")
    if isinstance(probabilities, dict):
        probabilities = {str(k): float(v) for k, v in probabilities.items()
                         if isinstance(v, int | float)}  # fmt: skip
    else:
        probabilities = None
    return {
        "label": label,
        "is_new_category": is_new,
        "proposed_category": str(proposed) if is_new and proposed else None,
        "rewrite": str(data.get("rewrite") or ""),
        "probabilities": probabilities,
    }
