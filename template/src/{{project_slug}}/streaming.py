"""Screening of streamed model output: text reaches the client only in screened chunks.

Deltas are buffered until a sentence ends (or the buffer is long); each chunk is checked with the
guard's ``check_output`` together with the tail of what was already released, so a pattern split
across two chunks is still seen. A blocked chunk is never sent: the stream stops there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .guardrails import Guard

_BOUNDARY = re.compile(r"[.!?\]](?=\s)|\n")


class OutputBlocked(Exception):
    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("output blocked: " + ", ".join(reasons))
        self.reasons = reasons


@dataclass
class OutputScreen:
    guard: Guard
    min_chars: int = 60  # fewer, larger chunks: each one is a guard call
    max_chars: int = 400
    context_chars: int = 120
    released: str = ""
    _buffer: str = field(default="", repr=False)

    async def feed(self, delta: str) -> list[str]:
        """Chunks of ``delta`` (with what was buffered) that passed the guard."""
        self._buffer += delta
        out: list[str] = []
        while True:
            cut = self._cut()
            if cut is None:
                return out
            out.append(await self._release(self._buffer[:cut]))
            self._buffer = self._buffer[cut:]

    async def flush(self) -> list[str]:
        if not self._buffer:
            return []
        chunk, self._buffer = self._buffer, ""
        return [await self._release(chunk)]

    def _cut(self) -> int | None:
        if len(self._buffer) >= self.max_chars:
            return self.max_chars
        ends = [m.end() for m in _BOUNDARY.finditer(self._buffer) if m.end() >= self.min_chars]
        return ends[0] if ends else None

    async def _release(self, chunk: str) -> str:
        verdict = await self.guard.check_output(self.released[-self.context_chars :] + chunk)
        if not verdict.allowed:
            raise OutputBlocked(verdict.reasons)
        self.released += chunk
        return chunk
