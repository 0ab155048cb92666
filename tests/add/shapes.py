"""Repositories of the shapes `genaiops add` meets, written from scratch by the tests (each is a
small stand-in for a layout seen in public repositories, not a copy of one).

Every shape is a committed git repository with a GenAI app (an ``openai`` import), tests and
manifests whose commands are the ones the added targets must run.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

APP = '''\
"""A tiny chat app: answers from a table of known questions, citing where the answer is."""

from openai import OpenAI  # the GenAI dependency (not called offline)

KNOWN = {}


def answer(question: str) -> dict:
    text, docs = KNOWN.get(question, ("I do not know.", []))
    return {"answer": text, "citations": [{"id": d} for d in docs]}
'''
TEST = "from app.main import answer\n\n\ndef test_unknown():\n    assert answer('?')['answer']\n"
TESTS_WORKFLOW = """\
name: tests
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  tests:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install -r requirements-dev.txt
      - run: python -m pytest -q
"""


def write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def commit(root: Path, message: str = "existing work") -> None:
    for args in (["add", "--all"], ["commit", "--quiet", "--allow-empty", "-m", message]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _init(root: Path, files: Mapping[str, str]) -> Path:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "-b", "main"], cwd=root, check=True)
    write(root, files)
    commit(root)
    return root


def pytest_actions(root: Path) -> Path:
    """No Makefile; requirements files; GitHub Actions runs pytest (not ruff, not mypy)."""
    return _init(
        root,
        {
            "requirements.txt": "openai>=1\nfastapi>=0.110\n",
            "requirements-dev.txt": "-r requirements.txt\npytest>=8\nruff>=0.6\nmypy>=1.10\n",
            "pyproject.toml": "[tool.ruff]\nline-length = 100\n\n[tool.mypy]\nfiles = ['app']\n",
            "app/__init__.py": "",
            "app/main.py": APP,
            "tests/test_main.py": TEST,
            ".github/workflows/tests.yml": TESTS_WORKFLOW,
        },
    )


POETRY_PYPROJECT = """\
[tool.poetry]
name = "support-bot"
version = "0.1.0"
description = "a support chat"
authors = ["team"]
packages = [{ include = "app" }]

[tool.poetry.dependencies]
python = "^3.11"
openai = "^1.30"

[tool.poetry.group.dev.dependencies]
pytest = "^8.2"
flake8 = "^7.0"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""
# the `echo ... || true` first line of each recipe is a real repository's habit: only the
# command after it decides whether the target fails
POETRY_MAKEFILE = """\
SHELL := /bin/bash
.PHONY: help lint test
.DEFAULT_GOAL := help

help: ## this help
\t@grep -E '[a-zA-Z_-]+:.*?## .*$$' $(firstword $(MAKEFILE_LIST))

lint: ## lint the code
\t@echo -e "\\e[34m$@\\e[0m" || true
\t@poetry run flake8 app

test: ## unit tests
\t@echo -e "\\e[34m$@\\e[0m" || true
\t@poetry run pytest -q
"""


def poetry_makefile(root: Path) -> Path:
    """A Makefile that runs poetry; no CI at all."""
    return _init(
        root,
        {
            "pyproject.toml": POETRY_PYPROJECT,
            "poetry.lock": '# poetry lock\n[[package]]\nname = "openai"\nversion = "1.30.0"\n',
            "Makefile": POETRY_MAKEFILE,
            "app/__init__.py": "",
            "app/main.py": APP,
            "tests/test_main.py": TEST,
        },
    )


BACKEND_PYPROJECT = """\
[project]
name = "shop-api"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["openai>=1.30", "fastapi>=0.110"]

[dependency-groups]
dev = ["pytest>=8", "ruff>=0.6", "mypy>=1.10"]

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.ruff]
line-length = 100

[tool.mypy]
packages = ["app"]
"""
FRONTEND = {
    "name": "shop-web",
    "private": True,
    # `npx eslint`: a real front end's habit (the package's binary, run through npx)
    "scripts": {"test": "vitest run", "lint": "npx eslint src", "typecheck": "tsc --noEmit"},
    "devDependencies": {"vitest": "^2.0.0", "eslint": "^9.0.0", "typescript": "^5.5.0"},
}


def monorepo(root: Path) -> Path:
    """npm front end in frontend/, a uv-managed Python back end in src/backend/; no CI."""
    return _init(
        root,
        {
            "README.md": "# shop\n",
            "src/backend/pyproject.toml": BACKEND_PYPROJECT,
            "src/backend/uv.lock": 'version = 1\nrequires-python = ">=3.11"\n',
            "src/backend/app/__init__.py": "",
            "src/backend/app/main.py": APP,
            "src/backend/tests/test_main.py": TEST,
            "frontend/package.json": json.dumps(FRONTEND, indent=2) + "\n",
            "frontend/package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
            "frontend/src/app.ts": "export const greeting: string = 'hi';\n",
        },
    )


def golden_rows(n: int = 12) -> list[dict[str, str]]:
    """A dataset of the repository's own (`question` / `truth`, as some eval tools write it)."""
    return [
        {
            "question": f"How long is the warranty of product {i}?",
            "truth": f"Product {i} has a warranty of {i + 1} years, see the product sheet [{i}].",
        }
        for i in range(n)
    ]


EVAL_CONFIG = {
    "testdata_path": "ground_truth.jsonl",
    "target_url": "http://127.0.0.1:50505/chat",
    "target_parameters": {"overrides": {"top": 3, "retrieval_mode": "hybrid"}},
    "target_response_answer_jmespath": "message.content",
    "target_response_context_jmespath": "context.data_points",
}
EVALUATE = '''\
"""Run the app over the ground truth and print metrics (needs the cloud judge)."""

import json
from pathlib import Path


def main() -> None:
    rows = [json.loads(x) for x in Path("evals/ground_truth.jsonl").read_text().splitlines()]
    for row in rows:
        print(row["question"])
    print(json.dumps({"groundedness": None}))


if __name__ == "__main__":
    main()
'''


def existing_evals(root: Path) -> Path:
    """An app with its own eval script, ground truth and eval config; CI runs its tests."""
    truth = "".join(json.dumps(r) + "\n" for r in golden_rows())
    return _init(
        root,
        {
            "requirements.txt": "openai>=1\nfastapi>=0.110\n",
            "requirements-dev.txt": "-r requirements.txt\npytest>=8\n",
            "app/__init__.py": "",
            "app/main.py": APP,
            "tests/test_main.py": TEST,
            ".github/workflows/tests.yml": TESTS_WORKFLOW,
            "evals/ground_truth.jsonl": truth,
            "evals/eval_config.json": json.dumps(EVAL_CONFIG, indent=2) + "\n",
            "evals/evaluate.py": EVALUATE,
        },
    )


SHAPES: dict[str, Callable[[Path], Path]] = {
    "pytest-actions": pytest_actions,
    "poetry-makefile": poetry_makefile,
    "monorepo": monorepo,
    "existing-evals": existing_evals,
}
