"""The typed inventory over Facts (what `genaiops add` builds on) and the public command
resolver: nested projects, working directories, package managers and their commands."""

from __future__ import annotations

from pathlib import Path

from assess_builder import build, write

from generator.assess.collect import Repo
from generator.assess.facts import Facts
from generator.assess.inventory import inventory

CI = """on: [push, pull_request]
jobs:
  backend:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: src/backend
    steps:
      - run: poetry run pytest -q
      - run: poetry run mypy app
  frontend:
    runs-on: ubuntu-latest
    steps:
      - run: |
          cd frontend
          npm run lint
"""


def _monorepo(root: Path) -> Path:
    write(root, "src/backend/pyproject.toml", "[tool.poetry]\nname = 'api'\n\n[tool.ruff]\n")
    write(root, "src/backend/poetry.lock", "# lock\n[[package]]\nname = 'openai'\n")
    write(root, "src/backend/app/main.py", "from openai import AzureOpenAI\n")
    write(root, "src/backend/tests/test_main.py", "def test_ok():\n    assert True\n")
    write(root, "frontend/package.json", '{"scripts": {"lint": "eslint src", "test": "vitest"}}')
    write(root, "frontend/pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages: {}\nx: 1\n")
    write(root, "frontend/src/app.ts", "export const x = 1;\n")
    write(root, ".github/workflows/ci.yml", CI)
    return root


def test_inventory_finds_nested_projects_their_managers_and_commands(tmp_path: Path) -> None:
    inv = inventory(Facts(Repo.scan(_monorepo(tmp_path))))
    backend = inv.project("src/backend")
    frontend = inv.project("frontend")
    assert backend is not None and frontend is not None
    assert backend.package_manager == "poetry" and backend.languages == ("python",)
    assert backend.commands["test"] == ("poetry run pytest -q",)
    assert backend.commands["typecheck"] == ("poetry run mypy app",)
    assert "ruff check ." in backend.commands["lint"]
    assert frontend.package_manager == "pnpm" and frontend.languages == ("typescript",)
    assert frontend.commands["lint"][0] == "npm run lint"
    assert "npm run test" in frontend.commands["test"]
    assert [(p.system, p.path) for p in inv.ci] == [("github", ".github/workflows/ci.yml")]
    assert inv.genai is not None and inv.genai.startswith("src/backend/app/main.py:1")


def test_inventory_of_a_full_workload(tmp_path: Path) -> None:
    inv = inventory(Facts(Repo.scan(build(tmp_path / "r"))))
    root = inv.project("")
    assert root is not None and root.package_manager == "uv" and root.makefile == "Makefile"
    assert root.commands["test"][0] == "make test"
    assert inv.iac["bicep"] == ("infra/main.bicep", "infra/main.dev.bicepparam")
    assert inv.datasets == ("data/eval/golden.jsonl",)
    assert any("evals.run" in e for e in inv.eval_entrypoints)
    assert inv.prompts == ("prompts/answer.yaml",)


def test_resolve_command_says_what_any_command_reaches(tmp_path: Path) -> None:
    facts = Facts(Repo.scan(build(tmp_path / "r")))
    leaves = facts.resolver.resolve_command("make eval")
    assert [leaf.text for leaf in leaves][-1].startswith("python -m evals.run")
    assert "evals/run.py" in leaves[-1].files and all(leaf.gate for leaf in leaves)
    missing = facts.resolver.resolve_command("make no-such-target")
    assert not missing[0].gate and "not found" in (missing[0].why_not or "")
    swallowed = facts.resolver.resolve_command("make test || true")
    assert not any(leaf.gate for leaf in swallowed if leaf.text != "true")
    nested = Facts(Repo.scan(_monorepo(tmp_path / "m"))).resolver
    (lint,) = nested.resolve_command("cd frontend && npm run lint")
    assert lint.text == "eslint src" and lint.cwd == "frontend"
