"""Input and grounding-data screening, plus PII redaction for logs.

``RuleGuard`` (default, offline): pattern families for prompt injection in the question *and* in
retrieved documents (indirect injection), hidden-character tricks and length limits. Deterministic
and testable, but it only knows the phrasings it lists. ``ContentSafetyGuard`` adds Azure AI
Content Safety Prompt Shields (REST, Entra ID or key) when ``APP_CONTENT_SAFETY_ENDPOINT`` is set;
the rules still run first. A guard outage blocks (fail closed) unless ``APP_GUARD_FAIL_OPEN``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

INJECTION_PATTERNS: dict[str, re.Pattern[str]] = {
    "ignore_instructions": re.compile(
        r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(previous|prior|above|earlier|"
        r"all|any|your|system)\b[^.\n]{0,30}\b(instructions?|prompts?|rules|directions|"
        r"guidelines|guardrails)\b",
        re.IGNORECASE,
    ),
    "role_override": re.compile(
        r"\byou are (now|no longer)\b|\bfrom now on,? (you|act)\b|\bnew (system )?instructions?\s*:"
        r"|\bact as (an? )?(unfiltered|unrestricted|jailbroken|evil)\b|\bpretend (to be|you are)\b",
        re.IGNORECASE,
    ),
    "prompt_exfiltration": re.compile(
        r"\b(reveal|show|print|repeat|output|leak|tell me|what (is|are))\b[^.\n]{0,30}"
        r"\b(system prompt|hidden prompt|initial (prompt|instructions)|your (instructions|prompt)"
        r"|developer message)\b",
        re.IGNORECASE,
    ),
    "fake_delimiters": re.compile(
        r"</?(system|assistant|message)\b[^>]*>|<\|im_(start|end)\|>|\[/?INST\]"
        r"|-{3,}\s*(END\s+)?(SOURCES|QUESTION|TEXT|HISTORY|CATEGORIES)\s*-{3,}",
        re.IGNORECASE,
    ),
    "jailbreak": re.compile(
        r"\b(do anything now|developer mode|jailbreak(ed)?|DAN mode)\b", re.IGNORECASE
    ),
    "data_exfiltration": re.compile(
        r"\b(send|post|upload|forward|exfiltrate)\b[^.\n]{0,60}\b(to|at)\s+https?://"
        r"|!\[[^\]]*\]\(https?://[^)]*[?&]\w+=",
        re.IGNORECASE,
    ),
    "hidden_characters": re.compile(
        "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\U000e0000-\U000e007f]"
    ),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: tuple[str, ...] = ()


class GuardrailBlocked(Exception):
    """The input was rejected; ``reasons`` name the rule families (safe to show to clients)."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("input rejected by guardrails: " + ", ".join(reasons))
        self.reasons = reasons


class Guard(Protocol):
    async def check_input(self, text: str) -> Verdict: ...
    async def check_documents(self, texts: list[str]) -> list[Verdict]: ...


def find_injection(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in INJECTION_PATTERNS.items() if pattern.search(text))


@dataclass
class RuleGuard:
    max_chars: int = 20000

    async def check_input(self, text: str) -> Verdict:
        reasons = find_injection(text)
        if len(text) > self.max_chars:
            reasons += ("too_long",)
        return Verdict(not reasons, reasons)

    async def check_documents(self, texts: list[str]) -> list[Verdict]:
        return [Verdict(not (r := find_injection(t)), r) for t in texts]


@dataclass
class ContentSafetyGuard:
    """Azure AI Content Safety Prompt Shields (``text:shieldPrompt``) over REST with httpx."""

    endpoint: str
    api_key: str | None = None
    token_provider: Any = None  # () -> str, Entra ID bearer token
    fail_open: bool = False
    rules: RuleGuard = field(default_factory=RuleGuard)
    api_version: str = "2024-09-01"
    timeout_s: float = 5.0
    transport: Any = None  # an httpx transport, for tests

    MAX_DOCS = 5
    MAX_CHARS = 10_000

    async def _shield(self, prompt: str, documents: list[str]) -> dict[str, Any]:
        import httpx

        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Ocp-Apim-Subscription-Key"] = self.api_key
        elif self.token_provider is not None:
            headers["Authorization"] = f"Bearer {self.token_provider()}"
        url = f"{self.endpoint.rstrip('/')}/contentsafety/text:shieldPrompt"
        async with httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport) as client:
            response = await client.post(
                url,
                params={"api-version": self.api_version},
                headers=headers,
                json={"userPrompt": prompt[: self.MAX_CHARS], "documents": documents},
            )
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data

    def _outage(self, exc: Exception, count: int) -> list[Verdict]:
        log.warning("content safety unavailable (%s); failing %s", type(exc).__name__,
                    "open" if self.fail_open else "closed")  # fmt: skip
        reasons = () if self.fail_open else ("guard_unavailable",)
        return [Verdict(self.fail_open, reasons)] * count

    async def check_input(self, text: str) -> Verdict:
        first = await self.rules.check_input(text)
        if not first.allowed:
            return first
        try:
            data = await self._shield(text, [])
        except Exception as exc:  # noqa: BLE001 - any failure of the remote guard is an outage
            return self._outage(exc, 1)[0]
        attacked = bool((data.get("userPromptAnalysis") or {}).get("attackDetected"))
        return Verdict(not attacked, ("prompt_shield_user_attack",) if attacked else ())

    async def check_documents(self, texts: list[str]) -> list[Verdict]:
        verdicts = await self.rules.check_documents(texts)
        budget = self.MAX_CHARS // self.MAX_DOCS
        for start in range(0, len(texts), self.MAX_DOCS):
            batch = [t[:budget] for t in texts[start : start + self.MAX_DOCS]]
            try:
                data = await self._shield("", batch)
                flags = [bool(d.get("attackDetected")) for d in data.get("documentsAnalysis", [])]
            except Exception as exc:  # noqa: BLE001
                flags = [not v.allowed for v in self._outage(exc, len(batch))]
            for offset, attacked in enumerate(flags):
                index = start + offset
                if attacked and verdicts[index].allowed:
                    verdicts[index] = Verdict(False, ("prompt_shield_document_attack",))
        return verdicts


def build_guard(settings: Any) -> Guard:
    rules = RuleGuard(max_chars=max(settings.max_question_chars, settings.max_text_chars))
    if settings.guard != "azure_content_safety":
        return rules
    key = settings.content_safety_api_key
    token_provider = None
    if not key:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider

        token_provider = get_bearer_token_provider(
            DefaultAzureCredential(managed_identity_client_id=settings.azure_client_id),
            "https://cognitiveservices.azure.com/.default",
        )
    return ContentSafetyGuard(
        endpoint=settings.content_safety_endpoint,
        api_key=key.get_secret_value() if key else None,
        token_provider=token_provider,
        fail_open=settings.guard_fail_open,
        rules=rules,
    )


# --- PII redaction for logs ----------------------------------------------------------------------
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_PHONE = re.compile(r"(?<!\w)(\+?\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def _luhn(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()][::-1]
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
    )
    return total % 10 == 0


def redact(text: str) -> str:
    """Replace e-mail addresses, card numbers (Luhn-checked), SSNs, phone numbers and IPs."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(lambda m: "[card]" if _luhn(m.group()) else m.group(), text)
    text = _SSN.sub("[ssn]", text)
    text = _PHONE.sub("[phone]", text)
    return _IPV4.sub("[ip]", text)


class RedactingFilter(logging.Filter):
    """Logging filter that redacts PII from every record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
