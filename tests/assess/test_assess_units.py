"""Unit tests of the building blocks: shell gate semantics, Makefile reading, thresholds,
datasets and the model files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assess_builder import write

from generator.assess import thresholds
from generator.assess.chains import Resolver
from generator.assess.collect import Repo
from generator.assess.datasets import inspect_dataset
from generator.assess.model import load_model
from generator.assess.probes import registry
from generator.assess.shell import ShellState, split_script


@pytest.mark.parametrize(
    ("script", "errexit", "pipefail", "gates"),
    [
        ("make eval", True, False, {"make": True}),
        ("make eval || true", True, False, {"make": False}),
        ("make eval || exit 1", True, False, {"make": True}),
        ("make eval | tee out", True, False, {"make": False}),
        ("make eval | tee out", True, True, {"make": True}),
        ("set -o pipefail\nmake eval | tee out", True, False, {"make": True}),
        ("set +e\nmake eval\necho done", True, False, {"make": False}),
        ("make eval; echo done", False, False, {"make": False}),
        ("echo start; make eval", False, False, {"make": True}),
        ("if make eval; then echo ok; fi", True, False, {"make": False}),
        ("FOO=1 make eval && echo ok", True, False, {"make": True}),
        ("make \\\n  eval", True, False, {"make": True}),
    ],
)
def test_shell_gate_semantics(
    script: str, errexit: bool, pipefail: bool, gates: dict[str, bool]
) -> None:
    cmds = {c.argv[0]: c for c in split_script(script, ShellState(errexit, pipefail))}
    for head, expected in gates.items():
        assert cmds[head].gates is expected, cmds[head].why_not


def test_makefile_includes_variables_and_prereqs(tmp_path: Path) -> None:
    write(tmp_path, "Makefile", "UV ?= uv\nPKG := app\ninclude $(sort $(wildcard mk/*.mk))\n")
    write(
        tmp_path,
        "mk/eval.mk",
        "eval: data ## run\n\t@$(UV) run python -m $(PKG).eval \\\n\t  --x 1\n"
        "data:\n\t-./scripts/fetch.sh\n",
    )
    write(tmp_path, "scripts/fetch.sh", "#!/bin/bash -e\npython -m app.fetch\n")
    write(tmp_path, "src/app/eval.py", "print('eval')\n")
    resolver = Resolver(Repo.scan(tmp_path))
    leaves = resolver.resolve_script("make eval", "ci.yml", 1, ShellState(True, False))
    texts = {leaf.text: leaf for leaf in leaves}
    ev = texts["python -m app.eval --x 1"]
    assert ev.gate and "src/app/eval.py" in ev.files
    assert [h.kind for h in ev.hops][-3:] == ["make", "command", "module"]
    fetch = texts["python -m app.fetch"]
    assert not fetch.gate and "`-`" in (fetch.why_not or "")


def test_uv_run_and_entry_points_are_unwrapped(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        "[project]\nname='x'\n[project.scripts]\napp-eval = 'app.evaluate:main'\n",
    )
    write(tmp_path, "src/app/evaluate.py", "def main(): ...\n")
    resolver = Resolver(Repo.scan(tmp_path))
    leaf = resolver.resolve_script(
        "uv run --frozen --with x app-eval --fast", "ci.yml", 1, ShellState(True, False)
    )[0]
    assert leaf.argv[0] == "app-eval" and "src/app/evaluate.py" in leaf.files


def test_thresholds_from_config_and_argv() -> None:
    found = thresholds.from_config(
        {
            "metrics": {"recall_at_5": {"min": 0.6}, "rouge": 0},
            "max_error_rate": 0.1,
            "n_min": 30,
            "seed": 7,
        },
        "t.yaml",
    )
    by_key = {t.key: t for t in found}
    assert not by_key["metrics.recall_at_5.min"].trivial
    assert by_key["metrics.rouge"].trivial
    assert by_key["max_error_rate"].kind == "max"
    assert "n_min" not in by_key and "seed" not in by_key
    cli = thresholds.from_argv(
        ["run", "--fail-under=0.7", "--min-recall", "0.5", "--threshold", "x"]
    )
    assert [(t.key, t.value) for t in cli] == [("--fail-under", 0.7), ("--min-recall", 0.5)]


def test_dataset_counting(tmp_path: Path) -> None:
    rows = [
        {"question": f"real question number {i}?", "ground_truth": f"answer {i} with detail"}
        for i in range(10)
    ]
    rows += [
        {"question": "TODO", "ground_truth": "x"},
        {"question": "real question number 1?", "ground_truth": "dup"},
        {"input": "no expectation here"},
    ]
    write(tmp_path, "data/eval/a.jsonl", "".join(json.dumps(r) + "\n" for r in rows) + "{broken\n")
    write(tmp_path, "data/eval/b.csv", "question,label\nwhat is it?,spam\nplaceholder,ham\n")
    repo = Repo.scan(tmp_path)
    a = inspect_dataset(repo, "data/eval/a.jsonl")
    assert a is not None
    assert (a.valid, a.placeholders, a.duplicates, a.incomplete, a.invalid_lines) == (
        10,
        1,
        1,
        1,
        [14],
    )
    b = inspect_dataset(repo, "data/eval/b.csv")
    assert b is not None and (b.valid, b.placeholders) == (1, 1)


def test_every_probe_has_metadata_and_an_implementation() -> None:
    model = load_model()
    impl = registry()
    assert set(impl) == {p.id for p in model.probes}
    for p in model.probes:
        assert p.question.endswith("?") and p.remediation and p.motivation and p.detection
    for dim in model.dimensions:
        levels = {p.level for p in model.probes_of(dim.id) if p.required}
        assert levels == {1, 2, 3, 4}, dim.id
    assert [model.level_names[i] for i in range(5)] == [
        "Not evidenced",
        "Initial",
        "Defined",
        "Managed",
        "Optimized",
    ]


def test_cli_import_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, generator.cli; heavy = [m for m in ('generator.assess.run', 'ruamel.yaml', "
        "'rich.table', "
        "'jinja2') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_glob_by_name_keeps_every_file_of_the_same_name(tmp_path: Path) -> None:
    from generator.assess.collect import Repo

    for rel in ("a/pyproject.toml", "b/c/pyproject.toml", "pyproject.toml", "d/package.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    repo = Repo.scan(tmp_path)
    assert repo.glob("**/pyproject.toml") == [
        "a/pyproject.toml",
        "b/c/pyproject.toml",
        "pyproject.toml",
    ]
    assert repo.glob("**/{pyproject.toml,package.json}") == [
        "a/pyproject.toml",
        "b/c/pyproject.toml",
        "d/package.json",
        "pyproject.toml",
    ]
    assert repo.glob("**/*eval*/**/*.json") == []
