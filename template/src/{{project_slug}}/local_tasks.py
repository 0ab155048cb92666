"""The offline model's three skills, as pure deterministic functions over the rendered prompt.

- ``answer``: extractive and grounded. It picks the source sentences that best cover the question
  (IDF-weighted term overlap, section headings count too) and cites each one. It never writes a
  sentence that is not in a source, so it cannot hallucinate, but it cannot reason, combine facts
  or paraphrase either. When coverage is too low it says it does not know.
- ``summarize``: extractive, the highest-scoring sentences by term frequency, in document order.
- ``classify``: overlap of the entry's terms with each category's signals and description,
  softmax-normalised; below a threshold the entry is ``other`` with a proposed new category.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from .textutil import STOPWORDS, sentences, terms, unmark, words

UNKNOWN = "I don't know based on the available documents."
MIN_COVERAGE = 0.25
# question words that say what kind of answer is wanted, not what it is about
QUESTION_NOISE = frozenset(
    {"many", "much", "often", "long", "need", "want", "tell", "know", "please", "ok"}
)
NEW_CATEGORY_THRESHOLD = 2.0
GENERIC = STOPWORDS | set(
    """error errors fail failed failure warn warning info could cannot request reports report
    returned after while during since not for""".split()
)


@dataclass(frozen=True)
class Source:
    chunk_id: str
    heading: str
    text: str


def parse_sources(block: str) -> list[Source]:
    """Sources rendered as ``[source: <chunk id>] <section path>`` followed by their text."""
    parts = re.split(r"^\[source:\s*([^\]]+)\]\s*(.*)$", block, flags=re.MULTILINE)
    return [
        Source(parts[i].strip(), parts[i + 1].strip(), parts[i + 2].strip())
        for i in range(1, len(parts) - 2, 3)
    ]


def _finish(sentence: str) -> str:
    sentence = unmark(sentence).strip()
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def answer(question: str, sources: list[Source], history: str = "", max_sentences: int = 3) -> str:
    """Cite-every-sentence extractive answer, or :data:`UNKNOWN`."""
    wanted = {t: 1.0 for t in terms(question) if t not in QUESTION_NOISE}
    if history and len(wanted) <= 3:  # a follow-up ("and for members?") borrows the last topic
        for t in terms(history.splitlines()[-1] if history.strip() else ""):
            wanted.setdefault(t, 0.4)
    if not wanted or not sources:
        return UNKNOWN
    units = [
        (rank, s, sentence, set(terms(sentence)), set(terms(s.heading)))
        for rank, s in enumerate(sources)
        for sentence in sentences(s.text)
        if len(words(sentence)) >= 3
    ]
    if not units:
        return UNKNOWN
    df: dict[str, int] = {}
    for *_, unit_terms, _heading in units:
        for t in unit_terms:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log(1 + len(units) / (1 + df.get(t, 0))) for t in wanted}
    # a question word found in no source counts half: it may just be phrased differently
    total = sum(idf[t] * w * (1.0 if df.get(t) else 0.5) for t, w in wanted.items()) or 1.0

    scored = []
    for rank, source, sentence, unit_terms, heading_terms in units:
        hit = sum(idf[t] * w for t, w in wanted.items() if t in unit_terms)
        near = sum(0.8 * idf[t] * w for t, w in wanted.items() if t in heading_terms - unit_terms)
        if hit == 0:
            continue
        coverage = (hit + near) / total
        score = coverage - 0.002 * len(unit_terms) + 0.15 / (rank + 1)
        scored.append((score, coverage, source.chunk_id, sentence))
    if not scored:
        return UNKNOWN
    scored.sort(key=lambda item: (-item[0], item[2], item[3]))
    best_score, best_coverage = scored[0][0], scored[0][1]
    if best_coverage < MIN_COVERAGE:
        return UNKNOWN
    chosen = [scored[0]]
    for candidate in scored[1:]:
        if len(chosen) >= max_sentences:
            break
        same_chunk = candidate[2] == scored[0][2]
        strong = candidate[0] >= (0.6 if same_chunk else 0.9) * best_score
        if strong and candidate[3] not in {c[3] for c in chosen}:
            chosen.append(candidate)
    return " ".join(f"{_finish(sentence)} [{chunk_id}]" for _, _, chunk_id, sentence in chosen)


def condense(question: str, history: str) -> str:
    """A standalone search query for a follow-up: a short question ("and for members?") borrows
    the previous user question; a question that names its topic stands alone."""
    question = question.strip()
    if len([t for t in terms(question) if t not in QUESTION_NOISE]) > 3:
        return question
    asked = [
        line.split(":", 1)[1].strip()
        for line in history.splitlines()
        if line.lower().startswith("user:")
    ]
    return f"{asked[-1]} {question}" if asked else question


def summarize(text: str, max_words: int = 120) -> str:
    """Extractive summary: up to five top sentences by term frequency, in document order."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    units = [s for s in sentences(body) if len(words(s)) >= 5]
    if not units:
        return _finish(text.strip()[:300]) if text.strip() else ""
    freq: dict[str, int] = {}
    for unit in units:
        for t in terms(unit):
            freq[t] = freq.get(t, 0) + 1
    top = max(freq.values(), default=1)

    def score(i: int, unit: str) -> float:
        unit_terms = terms(unit)
        weight = sum(freq[t] / top for t in unit_terms) / math.sqrt(len(unit_terms) or 1)
        return weight + (0.3 if i == 0 else 0.1 if i < 3 else 0.0)

    ranked = sorted(range(len(units)), key=lambda i: (-score(i, units[i]), i))
    chosen: list[int] = []
    budget = max_words
    for i in ranked:
        size = len(words(units[i]))
        if len(chosen) >= 5 or (chosen and size > budget):
            continue
        chosen.append(i)
        budget -= size
    return " ".join(_finish(units[i]) for i in sorted(chosen))


@dataclass(frozen=True)
class Category:
    name: str
    description: str
    signals: tuple[str, ...]


def parse_categories(block: str) -> list[Category]:
    """Lines ``- name: description (signals: a, b, c)``."""
    found = []
    for line in block.splitlines():
        match = re.match(r"^\s*-\s*([\w.-]+):\s*(.*?)\s*(?:\(signals:\s*(.*)\))?\s*$", line)
        if match:
            signals = tuple(
                s.strip().lower() for s in (match.group(3) or "").split(",") if s.strip()
            )
            found.append(Category(match.group(1), match.group(2), signals))
    return found


def _entry_message(text: str) -> tuple[str, str]:
    """(service, message) of a JSON log line, or ("", text) for plain text."""
    try:
        data = json.loads(text)
    except ValueError:
        return "", text.strip()
    if isinstance(data, dict):
        return str(data.get("service", "")), str(data.get("message", text))
    return "", text.strip()


def classify(text: str, categories: list[Category]) -> dict[str, object]:
    """The classification JSON the prompt asks a model for."""
    service, message = _entry_message(text)
    entry = set(terms(f"{service} {message}"))
    scores: dict[str, float] = {}
    for category in categories:
        signals = {t for s in category.signals for t in terms(s)}
        described = set(terms(f"{category.name} {category.description}"))
        scores[category.name] = 2.0 * len(entry & signals) + 1.0 * len(
            entry & (described - signals)
        )
    best = max(sorted(scores), key=lambda name: scores[name], default=None)  # ties: a-z first
    is_new = best is None or scores[best] < NEW_CATEGORY_THRESHOLD
    logits = {**scores, "other": NEW_CATEGORY_THRESHOLD - 0.5}
    peak = max(logits.values())
    exp = {k: math.exp(1.5 * (v - peak)) for k, v in logits.items()}
    norm = sum(exp.values())
    label = "other" if is_new else str(best)
    proposed = _propose(service, message) if is_new else None
    return {
        "label": label,
        "is_new_category": is_new,
        "proposed_category": proposed,
        "rewrite": rewrite(service, message, label if not is_new else proposed or "other"),
        "probabilities": {k: round(v / norm, 4) for k, v in sorted(exp.items())},
    }


def _propose(service: str, message: str) -> str:
    names = [w for w in words(message) if w not in GENERIC and not any(c.isdigit() for c in w)]
    picked = names[:2] or [w for w in words(service) if w not in GENERIC][:2] or ["uncategorised"]
    return "-".join(picked)


def rewrite(service: str, message: str, label: str) -> str:
    """One plain sentence: identifiers, key=value pairs and codes removed."""
    clean = re.sub(r"\b\w+=\S+", "", message)
    clean = re.sub(r"\((?:code|smtp|http)?\s*\d+\)", "", clean, flags=re.IGNORECASE)
    clean = re.sub(r"\s+([,;:.])", r"\1", re.sub(r"\s{2,}", " ", clean)).strip(" ,;:")
    where = f" in {service}" if service else ""
    topic = label.replace("-", " ").replace("_", " ").capitalize()
    return _finish(f"{topic} issue{where}: {clean[:1].upper()}{clean[1:]}")
