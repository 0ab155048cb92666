"""The offline ``local`` chat model: a Semantic Kernel chat service that reads the rendered prompt.

It sees exactly what a real model would see (the messages rendered from prompts/), finds the
``----- NAME -----`` blocks there and runs the matching skill of :mod:`local_tasks`. What it is:
deterministic, grounded, instant, free. What it is not: a language model. It does not reason,
rephrase or follow the prompt's instructions beyond the block structure; it exists so the app,
its tests and its eval gate run offline with stable results.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import AsyncGenerator
from typing import Any

from semantic_kernel.connectors.ai.chat_completion_client_base import ChatCompletionClientBase
from semantic_kernel.connectors.ai.completion_usage import CompletionUsage
from semantic_kernel.connectors.ai.prompt_execution_settings import PromptExecutionSettings
from semantic_kernel.contents import (
    AuthorRole,
    ChatHistory,
    ChatMessageContent,
    StreamingChatMessageContent,
)

from . import local_tasks

MODEL_ID = "local-extractive-v1"
_BLOCK = re.compile(r"-----\s*([A-Z][A-Z ]*?)\s*-----\n?(.*?)\n?-----\s*END \1\s*-----", re.DOTALL)
# a cited sentence ends at its citation: "... 45 days. [policies/returns#1] "
_PIECE = re.compile(r".+?(?:\]\s+|$)", re.DOTALL)


def blocks(text: str) -> dict[str, str]:
    """``{"SOURCES": "...", "QUESTION": "..."}`` from a rendered prompt."""
    return {name: body.strip() for name, body in _BLOCK.findall(text)}


def estimate_tokens(text: str) -> int:
    """~4 characters per token, the usual rule of thumb for English."""
    return math.ceil(len(text) / 4)


def respond(prompt: str, max_tokens: int | None) -> str:
    """The local model's reply to one rendered user message."""
    found = blocks(prompt)
    if "QUESTION" in found and "SOURCES" in found:
        concise = max_tokens is not None and max_tokens <= 150
        return local_tasks.answer(
            found["QUESTION"],
            local_tasks.parse_sources(found["SOURCES"]),
            history=found.get("HISTORY", ""),
            max_sentences=1 if concise else 3,
        )
    if "QUESTION" in found and "HISTORY" in found:
        return local_tasks.condense(found["QUESTION"], found["HISTORY"])
    if "TEXT" in found and "CATEGORIES" in found:
        categories = local_tasks.parse_categories(found["CATEGORIES"])
        return json.dumps(local_tasks.classify(found["TEXT"], categories))
    if "TEXT" in found:
        budget = int((max_tokens or 180) * 0.75)
        return local_tasks.summarize(found["TEXT"], max_words=budget)
    return (
        "The local model only answers prompts with SOURCES/QUESTION, TEXT or CATEGORIES blocks; "
        "configure a real model provider for free-form prompts."
    )


class LocalChatCompletion(ChatCompletionClientBase):
    """Semantic Kernel chat service for the offline skills (no network, no weights)."""

    def get_prompt_execution_settings_class(self) -> type[PromptExecutionSettings]:
        return PromptExecutionSettings

    def _reply(
        self, chat_history: ChatHistory, settings: PromptExecutionSettings
    ) -> tuple[str, CompletionUsage]:
        user = [m.content for m in chat_history.messages if m.role == AuthorRole.USER]
        data = settings.extension_data
        max_tokens: Any = data.get("max_completion_tokens") or data.get("max_tokens")
        reply = respond(user[-1] if user else "", int(max_tokens) if max_tokens else None)
        prompt_tokens = sum(estimate_tokens(m.content or "") for m in chat_history.messages)
        usage = CompletionUsage(
            prompt_tokens=prompt_tokens, completion_tokens=estimate_tokens(reply)
        )
        return reply, usage

    async def _inner_get_chat_message_contents(
        self, chat_history: ChatHistory, settings: PromptExecutionSettings
    ) -> list[ChatMessageContent]:
        reply, usage = self._reply(chat_history, settings)
        return [
            ChatMessageContent(
                role=AuthorRole.ASSISTANT,
                content=reply,
                ai_model_id=self.ai_model_id,
                metadata={"usage": usage},
            )
        ]

    async def _inner_get_streaming_chat_message_contents(
        self,
        chat_history: ChatHistory,
        settings: PromptExecutionSettings,
        function_invoke_attempt: int = 0,
    ) -> AsyncGenerator[list[StreamingChatMessageContent], Any]:
        """The same reply, one cited sentence at a time; the last chunk carries the usage."""
        reply, usage = self._reply(chat_history, settings)
        pieces = _PIECE.findall(reply) or [reply]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            yield [
                StreamingChatMessageContent(
                    role=AuthorRole.ASSISTANT,
                    choice_index=0,
                    content=piece,
                    ai_model_id=self.ai_model_id,
                    metadata={"usage": usage} if last else {},
                )
            ]
            await asyncio.sleep(0)  # let the server send this piece before the next
