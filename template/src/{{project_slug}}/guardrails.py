"""Screening of every piece of user-controlled text, of retrieved documents and of the model's
output, plus PII redaction for logs.

``RuleGuard`` (default, offline) matches pattern families of prompt injection after normalising
the text: NFKC, control and format characters (NUL, soft hyphen, zero-width, bidi) removed,
confusable letters folded to ASCII (Cyrillic "а" reads as "a"), s p a c e d letters joined. What
it catches: the listed English phrasings and their disguises above. What it cannot catch: a
paraphrase it does not list, another language, an instruction spread over several turns, an
image. It is a tripwire, not a defence: **Azure AI Content Safety Prompt Shields**
(``APP_GUARD=azure_content_safety``, a trained multilingual classifier) is the real one; the rules
still run first. A guard outage blocks (fail closed) unless ``APP_GUARD_FAIL_OPEN``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

log = logging.getLogger(__name__)

INJECTION_PATTERNS: dict[str, re.Pattern[str]] = {
    "ignore_instructions": re.compile(
        r"\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,80}\b(previous|prior|above|earlier|"
        r"all|any|your|system)\b[^.\n]{0,60}\b(instructions?|prompts?|rules|directions|"
        r"guidelines|guardrails)\b",
        re.IGNORECASE,
    ),
    "role_override": re.compile(
        r"\byou are (now|no longer)\b|\bfrom now on,? (you|act)\b|\bnew (system )?instructions?\s*:"
        r"|\bact as (an? )?(unfiltered|unrestricted|jailbroken|evil)\b|\bpretend (to be|you are)\b",
        re.IGNORECASE,
    ),
    "prompt_exfiltration": re.compile(
        r"\b(reveal|show|print|repeat|output|leak|tell me|what (is|are))\b[^.\n]{0,60}"
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
}
# checked on the raw text: tag characters (ASCII smuggling) and bidi overrides have no business
# in a question; zero-width joiners and soft hyphens do (emoji, hyphenation) and are only removed
HIDDEN_CHARACTERS = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")
# what the model's output is screened for: markers of our prompts (the model echoing its
# instructions or a forged turn) and links that would carry data out when rendered
OUTPUT_FAMILIES = ("fake_delimiters", "data_exfiltration")
# C0 and C1 control characters except tab, newline, carriage return: rejected in questions
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# Unicode format characters (category Cf): invisible, and used to split words the rules look for
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*/]{1,2}){3,}[^\W\d_](?![^\W\d_])")


def normalise(text: str) -> str:
    """The text the rules read: NFKC, controls and format characters removed, confusables
    folded to ASCII, spaced-out letters joined ("i g n o r e" reads "ignore")."""
    text = CONTROL_CHARACTERS.sub("", _FORMAT.sub("", unicodedata.normalize("NFKC", text)))
    if not text.isascii():
        from anyascii import anyascii

        text = anyascii(text)
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*/]", "", m.group()), text)


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
    async def check_output(self, text: str) -> Verdict: ...


@lru_cache(maxsize=4096)
def find_injection(text: str, families: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The rule families that match ``text`` (after :func:`normalise`). Cached: retrieved
    passages are screened on every request that finds them."""
    clean = normalise(text)
    found = tuple(
        name
        for name, pattern in INJECTION_PATTERNS.items()
        if (families is None or name in families) and pattern.search(clean)
    )
    return (*found, "hidden_characters") if HIDDEN_CHARACTERS.search(text) else found


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

    async def check_output(self, text: str) -> Verdict:
        reasons = find_injection(text, OUTPUT_FAMILIES)
        return Verdict(not reasons, reasons)


@dataclass
class ContentSafetyGuard:
    """Azure AI Content Safety over REST with one async httpx client: Prompt Shields
    (``text:shieldPrompt``) for input and documents, harm analysis (``text:analyze``) for output."""

    endpoint: str
    api_key: str | None = None
    token_provider: Any = None  # async () -> str, an Entra ID bearer token
    fail_open: bool = False
    rules: RuleGuard = field(default_factory=RuleGuard)
    api_version: str = "2024-09-01"
    timeout_s: float = 5.0
    transport: Any = None  # an httpx transport, for tests
    output_severity: int = 4  # block output at this severity (0-7) in any harm category

    MAX_DOCS = 5
    MAX_CHARS = 10_000

    def __post_init__(self) -> None:
        self._client: Any = None

    async def _post(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s, transport=self.transport)
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Ocp-Apim-Subscription-Key"] = self.api_key
        elif self.token_provider is not None:
            headers["Authorization"] = f"Bearer {await self.token_provider()}"
        response = await self._client.post(
            f"{self.endpoint.rstrip('/')}/contentsafety/text:{operation}",
            params={"api-version": self.api_version},
            headers=headers,
            json=body,
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def _shield(self, prompt: str, documents: list[str]) -> dict[str, Any]:
        return await self._post(
            "shieldPrompt", {"userPrompt": prompt[: self.MAX_CHARS], "documents": documents}
        )

    def _outage(self, exc: Exception, count: int) -> list[Verdict]:
        side = "open" if self.fail_open else "closed"
        log.warning("content safety unavailable (%s); failing %s", type(exc).__name__, side)
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

    async def check_output(self, text: str) -> Verdict:
        first = await self.rules.check_output(text)
        if not first.allowed:
            return first
        try:
            data = await self._post("analyze", {"text": text[: self.MAX_CHARS]})
        except Exception as exc:  # noqa: BLE001
            return self._outage(exc, 1)[0]
        harmful = tuple(
            f"harm_{str(c.get('category', '')).lower()}"
            for c in data.get("categoriesAnalysis", [])
            if int(c.get("severity") or 0) >= self.output_severity
        )
        return Verdict(not harmful, harmful)


def build_guard(settings: Any) -> Guard:
    rules = RuleGuard(max_chars=max(settings.max_input_chars, settings.max_text_chars))
    if settings.guard != "azure_content_safety":
        return rules
    key = settings.content_safety_api_key
    token_provider = None
    if not key:
        from .providers import azure_token_provider

        token_provider = azure_token_provider(settings)
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
