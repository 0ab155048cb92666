"""Structure-aware chunking: split at Markdown headings first, then pack paragraphs into chunks of
at most ``size`` characters with ``overlap`` characters carried over, never cutting a word.

Each chunk knows its section path ("Returns and Refunds Policy > Refunds"), which is stored with
it and prepended when it is embedded, so a chunk without the heading words still matches them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .loaders import Document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # "<doc_id>#<n>"
    doc_id: str
    position: int
    title: str
    section: str
    source: str
    text: str
    content_hash: str

    @property
    def embedding_text(self) -> str:
        """What gets embedded: the enrichment (title, section path) plus the text."""
        return f"{self.section}\n{self.text}" if self.section else self.text


def sections(text: str) -> list[tuple[list[str], str]]:
    """(heading path, body) pairs in document order; text before any heading has an empty path."""
    path: list[tuple[int, str]] = []
    out: list[tuple[list[str], str]] = []
    body: list[str] = []
    in_code = False

    def flush() -> None:
        content = "\n".join(body).strip()
        if content:
            out.append(([title for _, title in path], content))
        body.clear()

    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, match.group(2))]
        else:
            body.append(line)
    flush()
    return out


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def _split_long(paragraph: str, size: int) -> list[str]:
    """Cut a paragraph longer than ``size`` at line, sentence or word boundaries."""
    pieces: list[str] = []
    current = ""
    for unit in re.split(r"(?<=[.!?\n])\s+|\s+(?=\S{0}$)", paragraph):
        for word_chunk in [unit] if len(unit) <= size else _by_words(unit, size):
            if current and len(current) + 1 + len(word_chunk) > size:
                pieces.append(current)
                current = word_chunk
            else:
                current = f"{current} {word_chunk}".strip() if current else word_chunk
    if current:
        pieces.append(current)
    return pieces


def _by_words(text: str, size: int) -> list[str]:
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > size:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def _tail(text: str, overlap: int) -> str:
    """The last ``overlap`` characters of ``text``, starting at a word boundary."""
    if overlap <= 0 or len(text) <= overlap:
        return text if overlap > 0 else ""
    cut = text[-overlap:]
    space = cut.find(" ")
    return cut[space + 1 :] if space >= 0 else cut


def pack(body: str, size: int, overlap: int) -> list[str]:
    """Pack the paragraphs of one section into chunks of at most ``size`` characters."""
    units: list[str] = []
    for paragraph in _paragraphs(body):
        units.extend([paragraph] if len(paragraph) <= size else _split_long(paragraph, size))
    chunks: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + 2 + len(unit) > size:
            chunks.append(current)
            carry = _tail(current, overlap)
            current = f"{carry}\n\n{unit}" if carry and len(carry) + 2 + len(unit) <= size else unit
        else:
            current = f"{current}\n\n{unit}" if current else unit
    if current:
        chunks.append(current)
    return chunks


def chunk_document(doc: Document, size: int, overlap: int) -> list[Chunk]:
    """All chunks of one document, numbered in reading order."""
    chunks: list[Chunk] = []
    for heading_path, body in sections(doc.text):
        path = [doc.title] + [h for h in heading_path if h != doc.title]
        section = " > ".join(path)
        for text in pack(body, size, overlap):
            n = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{n}",
                    doc_id=doc.doc_id,
                    position=n,
                    title=doc.title,
                    section=section,
                    source=doc.source,
                    text=text,
                    content_hash=hashlib.sha256(f"{section}\n{text}".encode()).hexdigest(),
                )
            )
    return chunks
