"""What the assess inventory tells `genaiops add` (the fields added for it): the CI steps by
kind, each project's declared dependencies, runtimes and Dockerfile, datasets with their fields,
an eval config's HTTP target, the grounding documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from shapes import commit, write

from generator.assess.collect import Repo
from generator.assess.facts import Facts
from generator.assess.inventory import inventory


def _inv(root: Path):  # type: ignore[no-untyped-def]
    return inventory(Facts(Repo.scan(root)))


def test_ci_runs_by_kind_and_where_they_run(shape: Callable[[str], Path]) -> None:
    root = shape("pytest-actions")
    write(
        root,
        {
            ".github/workflows/lint.yml": "on: [pull_request]\njobs:\n  l:\n    runs-on: x\n"
            "    steps:\n      - run: python -m pip install ruff\n"
            "      - run: ruff check . || true\n"
            "      - run: cd app && mypy .\n",
            ".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '1 1 * * *'\n"
            "jobs:\n  n:\n    runs-on: x\n    steps:\n      - run: python -m pytest\n",
        },
    )
    commit(root, "more ci")
    runs = {(r.workflow, r.kind, r.command, r.cwd, r.gate, r.on_change) for r in _inv(root).ci_runs}
    assert (".github/workflows/tests.yml", "test", "python -m pytest -q", "", True, True) in runs
    assert (".github/workflows/lint.yml", "lint", "ruff check .", "", False, True) in runs
    assert (
        ".github/workflows/lint.yml",
        "typecheck",
        "mypy .",
        "app",
        True,
        True,
    ) in runs
    assert (".github/workflows/nightly.yml", "test", "python -m pytest", "", True, False) in runs
    assert not any("pip install" in r[2] for r in runs)  # installing ruff is not linting
    inv = _inv(root)
    assert [r.command for r in inv.ci_runs_of("test")] == ["python -m pytest -q"]
    assert inv.ci_runs_of("lint") == ()  # it cannot fail
    assert inv.ci_runs_of("lint", gating=False)[0].command == "ruff check ."


def test_projects_declare_dependencies_runtimes_and_images(shape: Callable[[str], Path]) -> None:
    root = shape("monorepo")
    write(root, {"src/backend/Dockerfile": "FROM python:3.12\n", "frontend/.nvmrc": "20\n"})
    commit(root, "image")
    inv = _inv(root)
    backend, frontend = inv.project("src/backend"), inv.project("frontend")
    assert backend is not None and frontend is not None
    assert {"openai", "fastapi", "pytest", "ruff", "mypy"} <= backend.dependencies
    assert backend.python == ">=3.11" and not backend.installable  # no [build-system]
    assert backend.dockerfile == "src/backend/Dockerfile"
    assert {"vitest", "eslint", "typescript"} <= frontend.dependencies
    assert frontend.node == "20" and not frontend.installable
    poetry = _inv(shape("poetry-makefile")).project("")
    assert poetry is not None and poetry.python == "^3.11" and poetry.installable
    assert {"openai", "pytest", "flake8"} <= poetry.dependencies
    reqs = _inv(shape("pytest-actions")).project("")
    assert reqs is not None
    assert reqs.requirements == ("requirements-dev.txt", "requirements.txt")
    assert {"pytest", "ruff", "mypy", "openai", "fastapi"} <= reqs.dependencies  # -r followed


def test_datasets_with_their_fields_and_an_eval_configs_target(
    shape: Callable[[str], Path],
) -> None:
    inv = _inv(shape("existing-evals"))
    (view,) = [d for d in inv.dataset_views if d.path == "evals/ground_truth.jsonl"]
    assert (view.records, view.valid, view.input_field, view.expect_field) == (
        12,
        12,
        "question",
        "truth",
    )
    (hint,) = inv.eval_targets
    assert hint.config == "evals/eval_config.json"
    assert (hint.url, hint.answer, hint.context) == (
        "http://127.0.0.1:50505/chat",
        "message.content",
        "context.data_points",
    )
    # the body its tool (evaltools) posts: the question as a user message, the parameters
    assert hint.request is not None and json.loads(hint.request) == {
        "messages": [{"content": "{question}", "role": "user"}],
        "context": {"overrides": {"top": 3, "retrieval_mode": "hybrid"}},
    }
    assert "python evals/evaluate.py" in inv.eval_entrypoints


def test_placeholder_rows_do_not_count_as_a_dataset(shape: Callable[[str], Path]) -> None:
    root = shape("pytest-actions")
    rows = [
        f'{{"question": "TODO: question {i}", "reference_answer": "TODO: answer {i}"}}'
        for i in range(12)
    ]
    write(root, {"evals/golden.jsonl": "\n".join(rows) + "\n"})
    commit(root, "skeleton")
    (view,) = [d for d in _inv(root).dataset_views if d.path == "evals/golden.jsonl"]
    assert view.records == 12 and view.valid == 0


def test_the_expected_answer_is_the_text_field(shape: Callable[[str], Path]) -> None:
    """A golden set with an answer and expected document ids expects the answer as text."""
    root = shape("pytest-actions")
    rows = [
        f'{{"question": "q {i}?", "cited_doc_ids": ["d{i}"], "reference_answer": "a {i}."}}'
        for i in range(12)
    ]
    write(root, {"evals/golden.jsonl": "\n".join(rows) + "\n"})
    commit(root, "golden")
    (view,) = [d for d in _inv(root).dataset_views if d.path == "evals/golden.jsonl"]
    assert (view.input_field, view.expect_field) == ("question", "reference_answer")
