"""A freshly generated repository, and the marking of scaffold defaults it still carries."""

from __future__ import annotations

from pathlib import Path

import pytest
from assess_builder import build, records, write

from generator.assess.collect import Repo
from generator.assess.report import text
from generator.assess.run import Options, assess_repo
from generator.assess.template_defaults import scaffold_defaults


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.cli import main

    dest = tmp_path_factory.mktemp("gen") / "workload"
    try:
        main(["new", str(dest), "--defaults"])
    except SystemExit as exc:
        assert not exc.code
    return dest


def test_generated_repo_is_assessed_without_errors(generated: Path) -> None:
    report = assess_repo(generated)
    assert report.files > 0
    assert not [
        n for n in report.notes if n.kind in ("invalid-yaml", "invalid-json", "invalid-workflow")
    ]
    for d in report.dimensions:
        for r in d.probes:
            assert r.status != "error", (r.definition.id, r.findings)


def test_generated_repo_scores_at_least_managed(generated: Path) -> None:
    report = assess_repo(generated)
    blockers = {
        d.dimension.id: [r.definition.id for r in d.next_needs]
        for d in report.dimensions
        if d.applicable and d.level < 3
    }
    assert report.overall.level >= 3, blockers
    # what the scaffold put there and nobody tuned yet is marked, per dimension and in the text
    ev = next(d for d in report.dimensions if d.dimension.id == "evaluation")
    assert "evals/thresholds.yaml" in ev.scaffold_defaults
    assert any(p.startswith("data/eval/") for p in ev.scaffold_defaults)
    prompts = next(d for d in report.dimensions if d.dimension.id == "prompts")
    assert any(p.startswith("prompts/") for p in prompts.scaffold_defaults)
    rendered = text.render([report])
    assert "Scaffold defaults" in rendered and "evals/thresholds.yaml" in rendered


def _template(root: Path) -> Path:
    tpl = root / "tpl"
    write(tpl, "copier.yml", "project_slug: {type: str}\n")
    golden = "".join(
        f'{{"question": "{r["question"]}", "answer": "{r["answer"]}"}}\n' for r in records()
    )
    write(tpl, "template/data/eval/golden.jsonl", golden)
    write(
        tpl,
        "template/evals/thresholds.yaml.jinja",
        "# thresholds of {{ project_slug }}\nmetrics:\n  rougeL:\n    min: 0.35\n",
    )
    write(
        tpl,
        "template/prompts/{{project_slug}}.yaml.jinja",
        "name: {{ project_slug }}\nversion: 1\n",
    )
    write(tpl, "template/src/{{project_slug}}/app.py.jinja", "print('{{ project_slug }}')\n")
    return tpl


def test_scaffold_defaults_are_marked_until_tuned(tmp_path: Path) -> None:
    tpl = _template(tmp_path)
    repo = build(tmp_path / "repo")
    write(repo, ".copier-answers.yml", "_src_path: gh:genaiops/genaiops\nproject_slug: handbook\n")
    write(repo, "data/eval/golden.jsonl", (tpl / "template/data/eval/golden.jsonl").read_text())
    write(
        repo,
        "evals/thresholds.yaml",
        "# thresholds of handbook\nmetrics:\n  rougeL:\n    min: 0.35\n",
    )
    write(repo, "prompts/handbook.yaml", "name: handbook\nversion: 1\n")
    found = {p: (what, d) for p, what, d in scaffold_defaults(Repo.scan(repo), tpl)}
    assert found == {
        "data/eval/golden.jsonl": ("sample eval dataset", "evaluation"),
        "evals/thresholds.yaml": ("default eval thresholds", "evaluation"),
        "prompts/handbook.yaml": ("default prompt", "prompts"),
    }
    report = assess_repo(repo, Options(template_root=str(tpl)))
    ev = next(d for d in report.dimensions if d.dimension.id == "evaluation")
    assert ev.level == 4  # defaults are real evidence, only marked
    assert ev.scaffold_defaults == ["data/eval/golden.jsonl", "evals/thresholds.yaml"]
    assert "Scaffold defaults" in text.render([report])
    # the team tunes the dataset and the thresholds: no longer defaults
    write(
        repo,
        "data/eval/golden.jsonl",
        (repo / "data/eval/golden.jsonl").read_text()
        + '{"question": "Who approves overtime?", "answer": "The team lead, in the HR portal."}\n',
    )
    write(repo, "evals/thresholds.yaml", "metrics:\n  rougeL:\n    min: 0.42\n")
    assert [p for p, _w, _d in scaffold_defaults(Repo.scan(repo), tpl)] == ["prompts/handbook.yaml"]


def test_no_answers_file_means_no_scaffold_claims(tmp_path: Path) -> None:
    tpl = _template(tmp_path)
    repo = build(tmp_path / "repo")
    write(repo, "data/eval/golden.jsonl", (tpl / "template/data/eval/golden.jsonl").read_text())
    assert scaffold_defaults(Repo.scan(repo), tpl) == []
