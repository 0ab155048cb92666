"""Secret detection and redaction: one place that knows what a credential looks like.

Findings never carry secret material: a secret is reported by kind, file, line and a fingerprint
(the last four characters and a short SHA-256), as secret scanners do, and every snippet the
collectors cut from a file is passed through ``redact`` first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |PGP |ENCRYPTED )?PRIVATE KEY-----"),
    ),
    ("AWS access key", re.compile(r"\b(AKIA[0-9A-Z]{16})\b")),
    ("OpenAI-style API key", re.compile(r"\b(sk-(?:proj-)?[A-Za-z0-9_-]{32,})")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36})\b")),
    ("storage account key", re.compile(r"AccountKey=([A-Za-z0-9+/]{40,}={0,2})")),
    (
        "hard-coded key",
        re.compile(
            r"(?i)\b[\w-]*(?:api[_-]?key|secret|password|access[_-]?key|token)[\w-]*[\"']?\s*[:=]\s*"
            r"[\"'](?![<$%{])([A-Za-z0-9+/_\-]{24,})[\"']"
        ),
    ),
)
# GUIDs/UUIDs are identifiers (role definitions, tenant and client ids), not credentials
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
PLACEHOLDER = re.compile(
    r"x{6,}|0{8,}|changeme|change[_-]?me|example|dummy|placeholder|fake|redacted|your|"
    r"replace|to[_-]?be[_-]?|insert|<[^>]*>|\.\.\.|sample|test|todo|fixme",
    re.I,
)
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # AZURE_SEARCH_ADMIN_KEY: a name
SECRET_KEY_NAME = re.compile(
    r"(?i)(?:api[_-]?key|secret|password|passwd|token|access[_-]?key|connection[_-]?string|"
    r"account[_-]?key|private[_-]?key|sas)"
)
ENV_LINE = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)[ \t]*=[ \t]*(.*?)[ \t]*$", re.M)


@dataclass(frozen=True)
class Secret:
    kind: str
    pos: int  # offset of the match in the text
    fingerprint: str


def fingerprint(value: str) -> str:
    """``…abcd (sha256:0123abcd)``: enough to find and rotate it, nothing to reuse."""
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:8]
    return f"…{value[-4:]} (sha256:{digest})" if len(value) >= 12 else f"(sha256:{digest})"


def _entropy_ok(value: str) -> bool:
    """A credential mixes letters and digits; a name or a word does not."""
    return bool(re.search(r"\d", value) and re.search(r"[A-Za-z]", value))


def _real(kind: str, whole: str, value: str) -> bool:
    if UUID.fullmatch(value) or PLACEHOLDER.search(whole):
        return False
    if kind == "hard-coded key":
        return not ENV_NAME.match(value) and _entropy_ok(value)
    return True


def find(text: str, limit: int = 1) -> list[Secret]:
    """Secrets in ``text`` (at most ``limit``), placeholders and names left out."""
    out: list[Secret] = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            value = m.group(m.lastindex) if m.lastindex else m.group(0)
            if not _real(kind, m.group(0), value):
                continue
            out.append(Secret(kind, m.start(), fingerprint(value)))
            if len(out) >= limit:
                return out
    return out


def env_values(text: str) -> list[tuple[str, int, str]]:
    """(name, offset, fingerprint) of secret-looking values assigned in a dotenv file.

    ``LOCATION=global`` or ``ENDPOINT=http://localhost:8000`` are settings, not secrets; a name
    like ``API_KEY`` with a real value (not empty, not a placeholder, not a reference) is.
    """
    out = []
    for m in ENV_LINE.finditer(text):
        name, raw = m.group(1), m.group(2).strip().strip("\"'")
        if not raw or raw.startswith(("$", "#", "<", "{")) or not SECRET_KEY_NAME.search(name):
            continue
        if PLACEHOLDER.search(raw) or ENV_NAME.match(raw) or len(raw) < 8:
            continue
        if re.match(r"^[a-z]+://", raw) and not re.search(r"://[^/@\s]+:[^/@\s]+@", raw):
            continue  # a URL without credentials in it
        out.append((name, m.start(), fingerprint(raw)))
    return out


def redact(text: str) -> str:
    """``text`` with every credential-looking value replaced by its fingerprint."""
    if not text:
        return text
    for _kind, rx in PATTERNS:
        text = rx.sub(
            lambda m: m.group(0).replace(
                m.group(m.lastindex) if m.lastindex else m.group(0),
                "[redacted "
                + fingerprint(m.group(m.lastindex) if m.lastindex else m.group(0))
                + "]",
            ),
            text,
        )
    return text
