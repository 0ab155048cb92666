"""Fixture files for the engineering evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """pyproject, tests, lockfile, dependabot, owners, lint, pre-commit."""
    prm = lv["prompts"]
    eng = lv["engineering"]
    write(
        root,
        "pyproject.toml",
        "[project]\nname = 'app'\nversion = '0.1.0'\n"
        + ("\n[tool.coverage.report]\nfail_under = 80\n" if eng >= 4 else ""),
    )
    if eng >= 1:
        write(
            root,
            "tests/test_api.py",
            "from app.api import chat\n\n\ndef test_chat_echoes():\n"
            "    assert chat(' hi ')['answer'] == 'hi'\n",
        )
        write(
            root,
            "uv.lock",
            "version = 1\nrequires-python = '>=3.11'\n\n[[package]]\nname = 'app'\n",
        )
    if eng >= 2:
        write(
            root,
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
            "    schedule:\n      interval: weekly\n",
        )
        # below Managed prompts, the owners review the code but not the prompts
        owners = (
            "* @handbook-team\n" if prm >= 3 else "/src/ @handbook-team\n/tests/ @handbook-team\n"
        )
        write(root, "CODEOWNERS", owners)
        mk["app"].append(
            "lint: ## lint and type-check\n\t$(UV) run ruff check .\n\t$(UV) run mypy src\n"
        )
    if eng >= 3:
        write(
            root,
            ".pre-commit-config.yaml",
            "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
            "    rev: v0.8.0\n    hooks:\n      - id: ruff\n",
        )
    mk["app"].insert(0, "test: install ## run the tests\n\t$(UV) run pytest -q\n")
