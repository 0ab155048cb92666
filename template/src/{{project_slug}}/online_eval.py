"""Reference-free scores of one model output, cheap enough to compute on every request.

In production there is no reference answer, so the online eval scores what can be checked
against what the model was given: how much of an answer is made of the passages' own terms
(lexical groundedness) and how many of its sentences cite a passage it was shown (citation
coverage); for a summary, how much of it comes from the text. All scores lie in [0, 1].

They are deliberately simple: an answer in another language, one that ignores the passages or
drops its citations scores near 0, a faithful extractive or paraphrasing answer high. They do
not judge reasoning; the LLM judges of the eval harness do (docs/eval.md). A refusal ("I don't
know ...") has nothing to ground and is not scored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .textutil import sentences, terms

SOURCE_ID = re.compile(r"^\[source:\s*([^\]]+)\]", re.MULTILINE)
CITATION = re.compile(r"\[(?:source:\s*)?([^\[\]\s]+#\d+)\]")
REFUSAL = re.compile(r"^\s*I (?:don't|do not) know\b", re.IGNORECASE)
PASS_AT = {"lexical_groundedness": 0.7, "citation_coverage": 0.5, "summary_groundedness": 0.7}


@dataclass(frozen=True)
class Score:
    name: str
    value: float
    label: str
    explanation: str


def _score(name: str, value: float, explanation: str) -> Score:
    return Score(name, round(value, 4), "pass" if value >= PASS_AT[name] else "fail", explanation)


def _groundedness(name: str, output: str, given: str) -> Score | None:
    said = set(terms(CITATION.sub(" ", output)))
    if not said:
        return None
    known = set(terms(given))
    found = len(said & known)
    return _score(name, found / len(said), f"{found} of {len(said)} answer terms are in the input")


def score_answer(sources: str, answer: str) -> list[Score]:
    """Lexical groundedness and citation coverage of a RAG answer over its rendered sources."""
    if not answer.strip() or REFUSAL.match(answer):
        return []
    found: list[Score] = []
    grounded = _groundedness("lexical_groundedness", answer, sources)
    if grounded is not None:
        found.append(grounded)
    offered = set(SOURCE_ID.findall(sources))
    parts = [s for s in sentences(answer) if terms(CITATION.sub(" ", s))]
    if parts:
        cited = sum(1 for s in parts if set(CITATION.findall(s)) & offered)
        found.append(
            _score(
                "citation_coverage",
                cited / len(parts),
                f"{cited} of {len(parts)} sentences cite a passage they were given",
            )
        )
    return found


def score_output(arguments: Mapping[str, str], output: str) -> list[Score]:
    """The scores that apply to a prompt's output, from the arguments it was rendered with."""
    if "sources" in arguments and "question" in arguments:
        return score_answer(arguments["sources"], output)
    if "text" in arguments and "categories" not in arguments:
        score = _groundedness("summary_groundedness", output, arguments["text"])
        return [score] if score is not None else []
    return []
