"""A fake LLM that follows the instructions in its prompt, behind the real wire formats.

It is what the real-model gate is tested against on a machine with no key: served by
:mod:`eval.stub_model` on 127.0.0.1, it answers the OpenAI route (``/v1/chat/completions``),
the Azure OpenAI deployment route (``/openai/deployments/<name>/chat/completions``, what
Semantic Kernel's ``AzureChatCompletion`` calls) and the Azure v1 route the judge uses.

Unlike the offline model it reads the system message and obeys a small set of instructions,
the ones a prompt edit typically changes: answer only from the passages (or ignore them), cite
passage ids (or not), answer in French, a sentence limit, the exact refusal sentence. So a
broken prompt produces broken answers here, and the gate must catch them. As judge it scores
groundedness, relevance and coherence from term overlap, the way the rubrics define them.
It is a test double, not a language model: what it cannot do is everything else.

``python -m eval.fake_model`` serves it until stdin closes and prints its base URL;
``--port N`` serves on that port until the process is stopped.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

from eval._package import PACKAGE

_FRENCH = frozenset(
    "le la les de des du et est en une un pour dans que selon vous votre sont avec sur".split()
)
_CITATION = re.compile(r"\s*\[[^\[\]\s]+#\d+\]")
_SENTENCE_LIMIT = re.compile(
    r"(?:at most|in|no more than) (one|two|three|four|five|\d+) sentences?"
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_REFUSAL = re.compile(r"reply exactly:\s*(.+?)\s*(?:$|\n)", re.IGNORECASE)


def _app(module: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{module}")


def _messages(body: dict[str, Any]) -> tuple[str, str]:
    system = " ".join(
        str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "system"
    )
    users = [str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"]
    return system, users[-1] if users else ""


def _in_french(text: str) -> str:
    """What "answer in French" does to an answer: its English content is gone."""
    cites = " ".join(_CITATION.findall(text)).strip()
    answer = (
        "Selon les documents de l'entreprise, la réponse dépend de la politique en vigueur "
        "et de votre situation."
    )
    return f"{answer} {cites}".strip()


def _paraphrase(sentence: str) -> str:
    """A model rephrases: the extractive sentence, introduced in its own words."""
    body = sentence.strip()
    return f"According to the documents, {body[:1].lower()}{body[1:]}" if body else body


def rag_answer(system: str, user: str) -> str:
    rules = system.lower()
    tasks, chat = _app("local_tasks"), _app("local_chat")
    blocks = chat.blocks(user)
    refusal = _REFUSAL.search(system)
    unknown = refusal.group(1).strip() if refusal else tasks.UNKNOWN
    limit = _SENTENCE_LIMIT.search(rules)
    max_sentences = 3
    if limit:
        word = limit.group(1)
        max_sentences = _NUMBERS.get(word) or int(word)
    if re.search(r"ignore (?:the |all )?(?:passages|sources|documents|context)", rules):
        text = (
            "In most companies this depends on the local policy, so the usual advice is to "
            "ask your manager or the HR team."
        )
    else:
        sources = tasks.parse_sources(blocks.get("SOURCES", ""))
        extract = tasks.answer(
            blocks.get("QUESTION", ""),
            sources,
            history=blocks.get("HISTORY", ""),
            max_sentences=max_sentences,
        )
        if extract == tasks.UNKNOWN:
            return unknown
        sentences = re.split(r"(?<=\])\s+", extract)
        text = " ".join(_paraphrase(s) for s in sentences)
    if "without citation" in rules or "do not cite" in rules or "cite" not in rules:
        text = _CITATION.sub("", text)
    if re.search(r"\b(?:in|en) french\b", rules):
        text = _in_french(text)
    return text.strip()


def task_answer(system: str, user: str, max_tokens: int | None) -> str:
    """Summaries and classifications: the offline skills, plus the language instruction."""
    reply = str(_app("local_chat").respond(user, max_tokens))
    if re.search(r"\b(?:in|en) french\b", system.lower()) and not reply.startswith("{"):
        return _in_french(reply)
    return reply


def _section(prompt: str, name: str) -> str:
    match = re.search(rf"{name}:\n(.*?)(?:\n\n[A-Z][^\n]*:\n|\n\nReply with)", prompt, re.DOTALL)
    return match.group(1).strip() if match else ""


def _terms(text: str) -> set[str]:
    return set(_app("textutil").terms(_CITATION.sub("", text)))


def judge(prompt: str) -> dict[str, Any]:
    """A verdict the way the rubric asks for it, from term overlap (deterministic)."""
    response = _section(prompt, "Answer") or _section(prompt, "Text")
    query = _section(prompt, "Question") or _section(
        prompt, "Task or question the text responds to"
    )
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", response.lower())
    refusal = "don't know" in response.lower() or "cannot answer" in response.lower()
    if not words:
        return {"reason": "empty answer", "score": 1}
    french = sum(w in _FRENCH for w in words) / len(words) > 0.2
    answer_terms = _terms(response)
    if prompt.startswith("You are grading whether an answer is supported"):
        if refusal:
            return {"reason": "makes no claim", "score": 3}
        context = _terms(_section(prompt, "Context"))
        share = len(answer_terms & context) / len(answer_terms) if answer_terms else 0.0
        score = 5 if share >= 0.85 else 4 if share >= 0.7 else 2 if share >= 0.4 else 1
        return {"reason": f"{share:.0%} of the answer's terms are in the context", "score": score}
    if prompt.startswith("You are grading how well an answer addresses"):
        if refusal:
            return {"reason": "declines to answer", "score": 3}
        asked = _terms(query)
        share = len(asked & answer_terms) / len(asked) if asked else 0.0
        score = 5 if share >= 0.5 else 4 if share >= 0.3 else 3 if share >= 0.15 else 2
        score = min(score, 2) if french else score  # asked in English, answered in French
        return {"reason": f"covers {share:.0%} of the question's terms", "score": score}
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", response) if len(s.split()) >= 3]
    score = 5 if sentences else 2
    return {"reason": f"{len(sentences)} well-formed sentence(s)", "score": score}


def follow_instructions(body: dict[str, Any]) -> tuple[int, str]:
    """The reply function for :func:`eval.stub_model.serve`."""
    system, user = _messages(body)
    if "Reply with a JSON object only" in user:
        return 200, json.dumps(judge(user))
    blocks = _app("local_chat").blocks(user)
    if "QUESTION" in blocks and "SOURCES" in blocks:
        return 200, rag_answer(system, user)
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
    return 200, task_answer(system, user, int(max_tokens) if max_tokens else None)


def main() -> None:
    import argparse
    import sys
    import time

    from eval import stub_model

    parser = argparse.ArgumentParser(description="instruction-following fake model")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with stub_model.serve(follow_instructions, port=args.port, model="fake-gpt") as stub:
        print(stub.base_url.removesuffix("/v1"), flush=True)
        if args.port:
            while True:
                time.sleep(3600)
        sys.stdin.read()


if __name__ == "__main__":
    main()
