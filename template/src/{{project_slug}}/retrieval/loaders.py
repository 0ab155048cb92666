"""Load grounding documents (Markdown, text, HTML, PDF) into one normalised, Markdown-like text.

HTML and PDF are converted so that the chunker sees headings as ``#`` lines everywhere; the
``doc_id`` of a document is its path under the docs folder without the extension.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")


@dataclass(frozen=True)
class Document:
    doc_id: str
    source: str  # path relative to the docs folder, with extension
    title: str
    text: str
    content_hash: str  # sha256 of the file's bytes


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def discover(root: Path) -> list[Path]:
    """Supported files under ``root``, sorted, hidden files skipped."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def doc_id_for(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def load(path: Path, root: Path) -> Document:
    """Read one file; raises ``ValueError`` for an unsupported or unreadable file."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = path.read_text(encoding="utf-8")
        title = _first_heading(text)
    elif suffix == ".txt":
        text = path.read_text(encoding="utf-8")
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
        text = _text_headings(text)
    elif suffix in (".html", ".htm"):
        title, text = html_to_markdown(path.read_text(encoding="utf-8"))
    elif suffix == ".pdf":
        title, text = pdf_to_text(path)
    else:
        raise ValueError(f"unsupported document type: {path.name}")
    doc_id = doc_id_for(path, root)
    return Document(
        doc_id=doc_id,
        source=path.relative_to(root).as_posix(),
        title=title.strip() or doc_id.rsplit("/", 1)[-1].replace("-", " ").capitalize(),
        text=text.strip() + "\n",
        content_hash=file_hash(path),
    )


def _first_heading(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def _text_headings(text: str) -> str:
    """Plain text: an all-caps line on its own is a heading (a common convention in .txt docs)."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and stripped.upper() == stripped and re.search(r"[A-Z]{3}", stripped):
            lines.append(f"{'##' if lines else '#'} {stripped}")
        else:
            lines.append(line)
    return "\n".join(lines)


class _HtmlToMarkdown(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template"}
    BLOCK = {"p", "div", "section", "article", "br", "tr", "table", "ul", "ol", "main", "body"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag in self.BLOCK:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self.BLOCK:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_markdown(html: str) -> tuple[str, str]:
    """(title, text) of an HTML page; navigation, scripts and styles are dropped."""
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    text = "\n".join(line.strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = parser.title.strip() or _first_heading(text)
    return title, text


def pdf_to_text(path: Path) -> tuple[str, str]:
    """(title, text) of a PDF, pages joined in order (pypdf; scanned PDFs would need OCR)."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    title = (reader.metadata.title if reader.metadata else None) or ""
    pages = []
    for page in reader.pages:
        text = _reflow(page.extract_text() or "")
        if text:
            pages.append(text)
    if not pages:
        raise ValueError(f"no extractable text in {path.name} (scanned PDFs need OCR)")
    return title, "\n\n".join(pages)


def _reflow(text: str) -> str:
    """Join the hard-wrapped lines of a PDF page into paragraphs; short title-like lines
    (no final punctuation) become ``###`` headings so the chunker keeps the structure."""
    blocks: list[str] = []
    paragraph: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        heading = 0 < len(line) <= 60 and line[0].isupper() and line[-1] not in ".,;:!?)"
        if not line or heading:
            if paragraph:
                blocks.append(" ".join(paragraph))
                paragraph = []
            if heading:
                blocks.append(f"### {line}")
        else:
            paragraph.append(line)
    if paragraph:
        blocks.append(" ".join(paragraph))
    return "\n\n".join(blocks).strip()
