"""The Semantic Kernel orchestrator: one kernel, prompt functions from prompts/, the retrieval
plugin, the model services chosen by settings, guardrails around every input and output.

``api`` and the eval harness both use this class, so what is evaluated is what is served.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .classification import category_lines, load_categories, parse_classification
from .guardrails import Guard, GuardrailBlocked, build_guard
from .models import (
    ChatResult,
    ChatTurn,
    Citation,
    ClassificationResult,
    RetrievedChunk,
    SummaryResult,
    Usage,
)
from .prompts import PromptLibrary
from .providers import Services, build_services
from .retrieval.factory import build_store, manifest_path
from .retrieval.ingest import IngestReport, ingest, parameters
from .retrieval.loaders import discover, doc_id_for, load
from .retrieval.plugin import RetrievalPlugin, format_sources
from .retrieval.store import Store
from .settings import Settings, get_settings
from .streaming import OutputBlocked, OutputScreen
from .telemetry import Telemetry, configure

__all__ = ["Orchestrator", "PreparedChat", "ProviderError", "load_categories"]
__all__ += ["parse_classification"]

_CITATION = re.compile(r"\[(?:source:\s*)?([^\[\]\s]+#\d+)\]")
WITHHELD = "The answer was withheld by the output guardrails."


class ProviderError(RuntimeError):
    """The model provider failed (network, quota, bad response); safe to report as 502."""


@dataclass(frozen=True)
class PreparedChat:
    """A screened question with its retrieved, screened sources: ready for the answer prompt."""

    question: str
    arguments: dict[str, str]
    chunks: list[RetrievedChunk]
    usage: Usage  # of the condensing call, if there was one


@dataclass(frozen=True)
class TextDelta:
    """One screened piece of a streamed answer."""

    text: str


class Orchestrator:
    def __init__(
        self,
        settings: Settings,
        kernel: Any,
        services: Services,
        store: Store,
        prompts: PromptLibrary,
        guard: Guard,
        telemetry: Telemetry,
    ) -> None:
        self.settings = settings
        self.kernel = kernel
        self.services = services
        self.store = store
        self.prompts = prompts
        self.guard = guard
        self.telemetry = telemetry
        self._functions = {pid: p.to_function() for pid, p in prompts.prompts.items()}
        self._variants: dict[str, Orchestrator] = {}

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
        guard = build_guard(settings)
        return cls(settings, kernel, services, store, prompts, guard, Telemetry(settings.revision))

    def variant(self, name: str | None) -> Orchestrator:
        """The same orchestrator with another prompt variant (kernel, index, guard shared)."""
        if not name or name == self.prompts.variant:
            return self
        if name not in self._variants:
            prompts = PromptLibrary(self.settings.prompts_path, name)
            self._variants[name] = Orchestrator(
                self.settings,
                self.kernel,
                self.services,
                self.store,
                prompts,
                self.guard,
                self.telemetry,
            )
        return self._variants[name]

    # --- grounding data -----------------------------------------------------------------------
    async def ingest(self, full: bool = False) -> IngestReport:
        s = self.settings
        return await ingest(
            s.docs_path,
            self.store,
            self.services.embeddings.generate_embeddings,
            parameters(s.chunk_size, s.chunk_overlap, self.services.embedding),
            manifest_path=manifest_path(s),
            full=full,
        )

    def readiness(self) -> dict[str, Any]:
        """Index state for /ready: chunk count, index version, whether the embedding matches."""
        s = self.settings
        expected = json.dumps(
            parameters(s.chunk_size, s.chunk_overlap, self.services.embedding), sort_keys=True
        )
        chunks = self.store.count_chunks()
        current = self.store.get_meta("parameters") == expected
        return {
            "ready": chunks > 0 and current,
            "chunks": chunks,
            "parameters_current": current,
            "index_version": self.store.get_meta("index_version"),
        }

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

    # --- chat ---------------------------------------------------------------------------------
    async def chat(
        self,
        question: str,
        history: list[ChatTurn] | list[dict[str, str]] | None = None,
        request_id: str | None = None,
    ) -> ChatResult:
        prepared = await self.prepare_chat(question, history)
        text, meta = await self._invoke("rag_answer", **prepared.arguments)
        verdict = await self.guard.check_output(text)
        blocked = () if verdict.allowed else verdict.reasons
        if blocked:
            self._count_block("output")
        return self._chat_result(WITHHELD if blocked else text, prepared, meta, request_id, blocked)

    async def prepare_chat(
        self, question: str, history: list[ChatTurn] | list[dict[str, str]] | None = None
    ) -> PreparedChat:
        """Check and screen every user-controlled text, condense a follow-up into a standalone
        query, retrieve and screen the sources. Raises before any answer is generated."""
        limits = self.settings
        question = question.strip()
        if not question or len(question) > limits.max_question_chars:
            raise ValueError(f"question must be 1..{limits.max_question_chars} characters")
        turns = [
            t if isinstance(t, ChatTurn) else ChatTurn.model_validate(t) for t in history or []
        ]
        turns = turns[-limits.max_history_turns :] if limits.max_history_turns else []
        total = len(question) + sum(len(t.content) for t in turns)
        if total > limits.max_input_chars:
            raise ValueError(f"question and history exceed {limits.max_input_chars} characters")
        await self._screen_input("\n\n".join([question, *(t.content for t in turns)]))
        history_text = "\n".join(f"{t.role}: {t.content}" for t in turns)
        query, usage = question, Usage()
        if turns and "condense_query" in self._functions:
            condensed, meta = await self._invoke(
                "condense_query", history=history_text, question=question
            )
            query = (condensed.strip().splitlines() or [question])[0][:500] or question
            usage = meta["usage"]
        chunks = await self._screened(await self.retrieve(query, limits.top_k))
        arguments = {
            "question": question,
            "sources": format_sources(chunks) or "(none)",
            "history": history_text or "(none)",
        }
        return PreparedChat(question, arguments, chunks, usage)

    async def stream_answer(
        self, prepared: PreparedChat, request_id: str | None = None
    ) -> AsyncIterator[TextDelta | ChatResult]:
        """The answer as screened text pieces, then the full ``ChatResult``. A piece the output
        guard blocks is never yielded: the stream ends with the result naming the reasons."""
        screen = OutputScreen(self.guard)
        texts: list[str] = []
        outcome: dict[str, Any] = {}
        blocked: tuple[str, ...] = ()
        stream = self._invoke_stream("rag_answer", prepared.arguments, outcome)
        try:
            async for delta in stream:
                texts.append(delta)
                for chunk in await screen.feed(delta):
                    yield TextDelta(chunk)
            for chunk in await screen.flush():
                yield TextDelta(chunk)
        except OutputBlocked as exc:
            blocked = exc.reasons
            self._count_block("output")
        finally:
            await stream.aclose()
        meta = self._meta("rag_answer")
        meta.update(model=outcome.get("model") or meta["model"], usage=outcome.get("usage"))
        text = screen.released.strip() if blocked else "".join(texts).strip()
        yield self._chat_result(text or WITHHELD, prepared, meta, request_id, blocked)

    def _chat_result(
        self,
        text: str,
        prepared: PreparedChat,
        meta: dict[str, Any],
        request_id: str | None,
        blocked: tuple[str, ...] = (),
    ) -> ChatResult:
        by_id = {c.chunk_id: c for c in prepared.chunks}
        cited = list(dict.fromkeys(i for i in _CITATION.findall(text) if i in by_id))
        citations = [
            Citation(
                doc_id=by_id[i].doc_id,
                chunk_id=i,
                title=by_id[i].title,
                source=by_id[i].source,
                score=by_id[i].score,
                section=by_id[i].section,
                text=by_id[i].text[:2000],
            )
            for i in cited
        ]
        usage = meta.get("usage") or Usage()
        extra = prepared.usage
        total = Usage(
            prompt_tokens=usage.prompt_tokens + extra.prompt_tokens,
            completion_tokens=usage.completion_tokens + extra.completion_tokens,
            total_tokens=usage.total_tokens + extra.total_tokens,
        )
        return ChatResult(
            answer=text,
            citations=citations,
            request_id=request_id or _new_id(),
            output_blocked=list(blocked),
            **{**self._meta("rag_answer"), **meta, "usage": total},
        )

    # --- text tasks: summarize, classify, and any use case of the registry like them ----------
    async def run_text(
        self, prompt_id: str, text: str, request_id: str | None = None, **arguments: str
    ) -> tuple[str, dict[str, Any]]:
        """What a text use case's handler needs: the text checked and screened, the prompt run
        on it (plus ``arguments``), its output screened; returns the output and the traced
        metadata (request id, prompt id and version, model, usage) for the result."""
        text = self._check_text(text)
        await self._screen_document(text)
        output, meta = await self._invoke(prompt_id, text=text, **arguments)
        output = await self._screen_output(output)
        return output, {**meta, "request_id": request_id or _new_id()}

    async def summarize(self, text: str, request_id: str | None = None) -> SummaryResult:
        summary, meta = await self.run_text("summarize", text, request_id)
        return SummaryResult(summary=summary, **meta)

    async def classify(self, text: str, request_id: str | None = None) -> ClassificationResult:
        text = self._check_text(text)
        await self._screen_document(text)
        categories = load_categories(self.settings.categories_path)
        raw, meta = await self._invoke(
            "classify_log", categories=category_lines(categories), text=text
        )
        fields = parse_classification(raw, {c["name"] for c in categories})
        return ClassificationResult(request_id=request_id or _new_id(), **fields, **meta)

    # --- screening ----------------------------------------------------------------------------
    def _check_text(self, text: str) -> str:
        text = text.strip()
        if not text or len(text) > self.settings.max_text_chars:
            raise ValueError(f"text must be 1..{self.settings.max_text_chars} characters")
        return text

    def _count_block(self, where: str, count: int = 1) -> None:
        self.telemetry.guard_blocks.add(count, {"where": where, "revision": self.settings.revision})

    async def _screen_input(self, text: str) -> None:
        verdict = await self.guard.check_input(text)
        if not verdict.allowed:
            self._count_block("input")
            raise GuardrailBlocked(verdict.reasons)

    async def _screen_document(self, text: str) -> None:
        verdict = (await self.guard.check_documents([text]))[0]
        if not verdict.allowed:
            self._count_block("text")
            raise GuardrailBlocked(verdict.reasons)

    async def _screen_output(self, text: str) -> str:
        verdict = await self.guard.check_output(text)
        if verdict.allowed:
            return text
        self._count_block("output")
        return WITHHELD

    async def _screened(self, chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """Drop retrieved chunks that carry injected instructions (indirect prompt injection)."""
        if not chunks:
            return chunks
        verdicts = await self.guard.check_documents([c.text for c in chunks])
        kept = [c for c, v in zip(chunks, verdicts, strict=True) if v.allowed]
        if len(kept) < len(chunks):
            self._count_block("documents", len(chunks) - len(kept))
        return kept

    # --- model calls --------------------------------------------------------------------------
    def _meta(self, prompt_id: str) -> dict[str, Any]:
        prompt = self.prompts.get(prompt_id)
        return {
            "prompt_id": prompt.id,
            "prompt_version": prompt.version,
            "model": self.services.chat_model,
        }

    def _arguments(self, prompt_id: str, arguments: dict[str, str]) -> Any:
        from semantic_kernel.functions import KernelArguments

        self.prompts.get(prompt_id).check_arguments(arguments)
        kernel_arguments = KernelArguments()
        kernel_arguments.update(arguments)
        return kernel_arguments

    @contextmanager
    def _model_call(self, prompt_id: str, outcome: dict[str, Any]) -> Iterator[Any]:
        """One span and one ``model_call`` record per call; failures become ``ProviderError``."""
        meta = self._meta(prompt_id)
        attrs = {"prompt.id": meta["prompt_id"], "prompt.version": meta["prompt_version"]}
        started = time.perf_counter()
        ok = False
        with self.telemetry.span(f"model {prompt_id}", **attrs, model=meta["model"]) as span:
            try:
                yield span
                ok = True
            except GeneratorExit:  # the consumer stopped reading (output guard, disconnect)
                ok = True
                raise
            except Exception as exc:
                span.record_exception(exc)
                raise ProviderError(f"model call failed: {type(exc).__name__}") from exc
            finally:
                usage: Usage = outcome.get("usage") or Usage()
                span.set_attribute("gen_ai.usage.input_tokens", usage.prompt_tokens)
                span.set_attribute("gen_ai.usage.output_tokens", usage.completion_tokens)
                self.telemetry.model_call(
                    prompt_id=meta["prompt_id"],
                    prompt_version=meta["prompt_version"],
                    model=outcome.get("model") or meta["model"],
                    seconds=time.perf_counter() - started,
                    prompt_tokens=usage.prompt_tokens,
                    completion_tokens=usage.completion_tokens,
                    ok=ok,
                )

    async def _invoke(self, prompt_id: str, **arguments: str) -> tuple[str, dict[str, Any]]:
        """Render and run one prompt function; returns (text, traced metadata)."""
        kernel_arguments = self._arguments(prompt_id, arguments)
        outcome: dict[str, Any] = {}
        with self._model_call(prompt_id, outcome):
            result = await self.kernel.invoke(self._functions[prompt_id], kernel_arguments)
            messages = result.value if result is not None else None
            message = messages[0] if isinstance(messages, list) and messages else None
            text = str(message.content if message is not None else result or "").strip()
            outcome["usage"] = _usage(message)
            outcome["model"] = getattr(message, "ai_model_id", None)
            self.telemetry.evaluate_output(prompt_id, arguments, text)
        meta = self._meta(prompt_id)
        return text, {**meta, "model": outcome["model"] or meta["model"], "usage": outcome["usage"]}

    async def _invoke_stream(
        self, prompt_id: str, arguments: dict[str, str], outcome: dict[str, Any]
    ) -> AsyncGenerator[str, None]:
        """Stream one prompt function through SK's streaming chat (``kernel.invoke_stream``,
        which calls the service's ``get_streaming_chat_message_contents``); ``outcome`` receives
        the usage and the model that answered."""
        kernel_arguments = self._arguments(prompt_id, arguments)
        outcome.update(usage=Usage(), model=None)
        streamed: list[str] = []
        with self._model_call(prompt_id, outcome):
            async for messages in self.kernel.invoke_stream(
                self._functions[prompt_id], kernel_arguments
            ):
                for message in messages if isinstance(messages, list) else []:
                    if _usage(message).total_tokens:
                        outcome["usage"] = _usage(message)
                    outcome["model"] = getattr(message, "ai_model_id", None) or outcome["model"]
                    text = str(getattr(message, "content", "") or "")
                    if text:
                        streamed.append(text)
                        yield text
            # only a stream read to its end is scored (a cut one is not the model's answer)
            self.telemetry.evaluate_output(prompt_id, arguments, "".join(streamed))


def _usage(message: Any) -> Usage:
    raw = (getattr(message, "metadata", None) or {}).get("usage") if message is not None else None
    if raw is None:
        return Usage()
    p, c = raw.prompt_tokens or 0, raw.completion_tokens or 0
    return Usage(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)


def _new_id() -> str:
    return uuid.uuid4().hex
