"""Small, dependency-free text helpers shared by retrieval, the local models and guardrails."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves may must can't don't i'm it's
    what's per also via get gets got one""".split()
)


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A deliberately tiny suffix stripper: enough to match plurals and -ing/-ed forms."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            return word
    return word


def words(text: str) -> list[str]:
    """Lower-cased word tokens, numbers kept (they carry facts: "45 days", "$500")."""
    return _WORD.findall(text.lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Content terms: words without stopwords, stemmed."""
    return list(_terms(text))


@lru_cache(maxsize=16_384)
def _terms(text: str) -> tuple[str, ...]:
    """Cached: the same retrieved sentences come back request after request."""
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS)


_BLOCK_START = re.compile(r"^(?:#+\s|[-*+]\s|\d+[.)]\s|\|)")


def _blocks(text: str) -> list[str]:
    """Join hard-wrapped lines; headings, list items and table rows start blocks of their own."""
    blocks: list[str] = []
    joinable = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            joinable = False
            continue
        if joinable and not _BLOCK_START.match(line):
            blocks[-1] += " " + line
        else:
            blocks.append(line)
        joinable = not line.startswith(("#", "|"))
    return blocks


def sentences(text: str) -> list[str]:
    """Split prose into sentences; list items are units of their own and a table row becomes
    "Header: value; Header: value" so it still reads as a fact on its own."""
    out: list[str] = []
    header: list[str] = []
    for line in _blocks(text):
        if not line.startswith("|"):
            header = []
        if set(line) <= set("|-: "):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not header:
                header = cells
                continue
            pairs = zip(header, cells, strict=False)
            out.append("; ".join(f"{h}: {c}" if h else c for h, c in pairs if c) + ".")
            continue
        line = re.sub(r"^(?:#+|[-*+]|\d+[.)])\s+", "", line)
        out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def unmark(text: str) -> str:
    """Markdown emphasis and code marks removed, for text shown to people."""
    return re.sub(r"(\*\*|__|`)", "", text)
