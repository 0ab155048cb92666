"""Fixture files for the app evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """The application's API module (routes grow with monitoring and safety)."""
    mon = lv["monitoring"]
    saf = lv["safety"]
    api = ["from fastapi import FastAPI", "", "app = FastAPI()", ""]
    if mon >= 1:
        api[0:0] = ["import logging"]
        api += [
            "logging.basicConfig(level=logging.INFO)",
            "log = logging.getLogger(__name__)",
            "",
            '@app.get("/health")',
            "def health() -> dict[str, str]:",
            '    return {"status": "ok"}',
            "",
        ]
    if saf >= 2:
        api[0:0] = ["from app.guardrails import screen"]
    api += [
        '@app.post("/chat")',
        "def chat(question: str) -> dict[str, str]:",
        "    answer = question.strip()",
        '    return {"answer": answer}',
        "",
    ]
    if mon >= 3:
        api += [
            '@app.post("/feedback")',
            "def feedback(request_id: str, rating: int) -> dict[str, str]:",
            '    log.info("feedback %s %s", request_id, rating)',
            '    return {"request_id": request_id}',
            "",
        ]
    write(root, "src/app/api.py", "\n".join(api))
    write(root, "src/app/__init__.py", "")
    # a GenAI workload at every level: the model client (without it the overall level is 0)
    write(
        root,
        "src/app/llm.py",
        "from openai import OpenAI\n\n\ndef client() -> OpenAI:\n    return OpenAI()\n",
    )
