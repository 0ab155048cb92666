"""Gaming attempts that must not score: names without content, gates that cannot fail,
trivial thresholds, deploys that skip the eval, placeholder datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assess_builder import build, records, write
from conftest import dim, probe_status

from generator.assess.run import assess_repo

CI = ".github/workflows/ci.yml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def test_empty_files_with_the_right_names_score_nothing(tmp_path: Path) -> None:
    for rel in (
        "data/eval/golden.jsonl",
        "evals/run.py",
        "evals/thresholds.yaml",
        "prompts/system.yaml",
        "infra/main.bicep",
        "infra/main.bicepparam",
        "tests/test_app.py",
        "CODEOWNERS",
        ".pre-commit-config.yaml",
        ".github/dependabot.yml",
        "data/docs/a.md",
        "data/docs/b.md",
        "data/docs/c.md",
        "src/app/guardrails.py",
        "evals/baseline/summary.json",
        "uv.lock",
    ):
        write(tmp_path, rel, "")
    write(tmp_path, "Makefile", "eval:\n\ttrue\ningest:\n\ttrue\n")
    write(
        tmp_path,
        CI,
        "on: [pull_request]\njobs:\n  eval:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: make eval\n",
    )
    report = assess_repo(tmp_path)
    assert report.overall.level == 0
    for d in report.dimensions:
        assert d.level == 0, (d.dimension.id, d.reason)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("run: make eval", "run: make eval || true", "|| true"),
        ("run: make eval", "run: make eval | tee eval.log", "piped"),
        ("run: make eval", "run: set +e; make eval; echo done", "set -e"),
        ("run: make eval", "run: make -i eval", "ignores failing"),
        ("run: make eval", "run: make eval\n        continue-on-error: true", "continue-on-error"),
        (
            "run: make eval",
            "run: make eval\n        continue-on-error: ${{ github.event_name == 'pull_request' }}",
            "expression",
        ),
        ("run: make eval", "run: make eval\n        if: false", "disabled"),
        ("run: make eval", "run: if make eval; then echo ok; fi", "condition"),
    ],
)
def test_eval_step_that_cannot_fail_is_not_a_gate(
    tmp_path: Path, old: str, new: str, why: str
) -> None:
    root = build(tmp_path / "r")
    _edit(
        root,
        CI,
        f"name: Offline eval gate\n        {old}",
        f"name: Offline eval gate\n        {new}",
    )
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "fail"
    assert dim(report, "evaluation").level == 2
    assert dim(report, "delivery").level == 2, "deploy must not count an eval gate that cannot fail"
    messages = " ".join(f.message for r in dim(report, "evaluation").probes for f in r.findings)
    assert why in messages


def test_disabled_eval_job_is_not_a_gate(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(
        root,
        CI,
        "  eval:\n    runs-on: ubuntu-latest\n",
        "  eval:\n    if: ${{ false }}\n    runs-on: ubuntu-latest\n",
    )
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "fail"
    assert dim(report, "evaluation").level == 2


def test_make_recipe_that_swallows_failure_is_not_a_gate(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, "mk/eval.mk", "\t$(UV) run python -m evals.run", "\t-$(UV) run python -m evals.run")
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "fail"
    _edit(
        root,
        "mk/eval.mk",
        "\t-$(UV) run python -m evals.run --dataset data/eval/golden.jsonl --thresholds "
        "evals/thresholds.yaml",
        "\t$(UV) run python -m evals.run --dataset data/eval/golden.jsonl --thresholds "
        "evals/thresholds.yaml; true",
    )
    assert probe_status(assess_repo(root), "eval.ci_gate") == "fail"


@pytest.mark.parametrize(
    "thresholds",
    [
        "metrics:\n  rougeL:\n    min: 0\n  recall_at_5:\n    min: 0.0\n",
        "metrics:\n  rougeL:\n    min: -1\n",
        "metrics:\n  rougeL:\n    min: .nan\n",
        "metrics:\n  rougeL:\n    min: 'high'\n",
    ],
)
def test_trivial_thresholds_do_not_count(tmp_path: Path, thresholds: str) -> None:
    root = build(tmp_path / "r")
    write(root, "evals/thresholds.yaml", thresholds)
    report = assess_repo(root)
    assert probe_status(report, "eval.threshold") == "fail"
    assert dim(report, "evaluation").level == 2


def test_threshold_file_the_gate_never_reads_does_not_count(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, "mk/eval.mk", " --thresholds evals/thresholds.yaml", "")
    report = assess_repo(root)
    assert probe_status(report, "eval.threshold") == "fail"


def test_threshold_on_the_command_line_counts(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, "mk/eval.mk", " --thresholds evals/thresholds.yaml", " --fail-under 0.7")
    (root / "evals/thresholds.yaml").unlink()
    assert probe_status(assess_repo(root), "eval.threshold") == "pass"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    needs: [ci]\n", ""),
        ("    needs: [ci]\n", "    needs: [ci]\n    if: always()\n"),
    ],
)
def test_deploy_that_does_not_wait_for_the_eval_stays_below_managed(
    tmp_path: Path, old: str, new: str
) -> None:
    root = build(tmp_path / "r")
    _edit(root, ".github/workflows/deploy.yml", old, new)
    report = assess_repo(root)
    assert probe_status(report, "delivery.deploy_needs_eval") == "fail"
    assert dim(report, "delivery").level == 2


def test_deploy_needing_only_tests_is_not_enough(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    ci = (root / CI).read_text()
    _edit(root, CI, ci[ci.index("  eval:") : ci.index("  iac:")], "")
    report = assess_repo(root)
    assert probe_status(report, "delivery.deploy_needs_eval") == "fail"


def test_placeholder_dataset_rows_do_not_count(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    rows = (
        [{"question": "TODO", "answer": "TODO"}] * 8
        + [{"question": f"question {i}", "answer": "lorem ipsum"} for i in range(8)]
        + [{"question": "", "answer": "x"}] * 5
    )
    write(root, "data/eval/golden.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    report = assess_repo(root)
    assert probe_status(report, "eval.dataset") == "fail"
    assert dim(report, "evaluation").level == 0


def test_duplicated_rows_count_once(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(root, "data/eval/golden.jsonl", (json.dumps(records(1)[0]) + "\n") * 50)
    assert probe_status(assess_repo(root), "eval.dataset") == "fail"


def test_rows_without_expectation_do_not_count(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(
        root,
        "data/eval/golden.jsonl",
        "".join(json.dumps({"question": r["question"]}) + "\n" for r in records(20)),
    )
    assert probe_status(assess_repo(root), "eval.dataset") == "fail"


def test_eval_target_pointing_at_a_missing_module_is_not_an_entrypoint(tmp_path: Path) -> None:
    root = build(tmp_path / "r", {"evaluation": 1}, default=0)
    assert probe_status(assess_repo(root), "eval.entrypoint") == "pass"
    (root / "evals/run.py").unlink()
    assert probe_status(assess_repo(root), "eval.entrypoint") == "fail"


def test_unpinned_action_and_write_permissions_fail_hardening(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, CI, "permissions: {}\n", "permissions: write-all\n")
    text = (root / CI).read_text()
    (root / CI).write_text(
        text.replace(
            "actions/checkout@0123456789abcdef0123456789abcdef01234567 # v4",
            "actions/checkout@v4",
            1,
        )
    )
    report = assess_repo(root)
    assert probe_status(report, "eng.permissions") == "fail"
    assert probe_status(report, "eng.pinned_actions") == "fail"
    assert dim(report, "engineering").level == 2


def test_untrusted_input_in_run_script_is_dangerous(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(
        root,
        CI,
        "run: make test",
        'run: echo "${{ github.event.pull_request.title }}" && make test',
    )
    assert probe_status(assess_repo(root), "eng.dangerous_workflows") == "fail"


def test_committed_secret_fails_safety(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(root, "src/app/config.py", 'OPENAI_API_KEY = "sk-proj-' + "Ab3" * 15 + '"\n')
    report = assess_repo(root)
    assert probe_status(report, "safety.no_secrets") == "fail"
    assert dim(report, "safety").level == 0
    write(root, "src/app/config.py", 'OPENAI_API_KEY = "<your key here>"\n')
    assert probe_status(assess_repo(root), "safety.no_secrets") == "pass"


def test_floating_model_version_is_not_pinned(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, "infra/main.bicep", "      version: '2024-07-18'\n", "")
    assert probe_status(assess_repo(root), "infra.models_pinned") == "fail"


def test_prompt_path_filter_that_skips_prompts(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _edit(root, CI, "on:\n  pull_request:\n", "on:\n  pull_request:\n    paths: ['src/**']\n")
    _edit(
        root,
        CI,
        "  push:\n    branches: [main]\n",
        "  push:\n    branches: [main]\n    paths: ['src/**']\n",
    )
    assert probe_status(assess_repo(root), "prompts.change_triggers_eval") == "fail"


def test_question_only_rows_count_for_reference_free_judges(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(
        root,
        "data/eval/golden.jsonl",
        "".join(json.dumps({"question": r["question"]}) + "\n" for r in records(20)),
    )
    run = root / "evals/run.py"
    run.write_text(
        run.read_text().replace(
            "import argparse",
            "import argparse\nfrom azure.ai.evaluation import GroundednessEvaluator",
        )
    )
    assert probe_status(assess_repo(root), "eval.dataset") == "pass"


def test_probes_agree_on_an_eval_step_that_reaches_no_code(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / "evals/run.py").write_text("print('ok')\n")  # `make eval` now reaches a stub
    (root / "evals/compare.py").unlink()  # nor does its package hold other evaluation code
    report = assess_repo(root)
    assert probe_status(report, "eval.ci_gate") == "fail"
    messages = [f.message for r in dim(report, "evaluation").probes for f in r.findings]
    assert any("reaches no real evaluation code" in m for m in messages)
    # the prompts probe must not call the same step "the eval gate"
    assert probe_status(report, "prompts.change_triggers_eval") == "fail"
    assert probe_status(report, "delivery.deploy_needs_eval") == "fail"


@pytest.mark.parametrize(
    ("rel", "rows", "expected"),
    [
        ("app/seed_documents.json", 30, "pass"),  # a seed file of document rows, by its name
        ("app/settings.json", 30, "fail"),  # the same rows under a name that says nothing
    ],
)
def test_document_rows_count_as_a_corpus_by_what_the_file_is(
    tmp_path: Path, rel: str, rows: int, expected: str
) -> None:
    root = build(tmp_path / "r", {"data": 0})
    write(
        root,
        rel,
        json.dumps(
            [
                {"id": i, "title": f"Product {i}", "body": f"A long description of product {i}."}
                for i in range(rows)
            ],
            indent=1,
        ),
    )
    assert probe_status(assess_repo(root), "data.corpus") == expected


def test_dataset_named_by_an_eval_config_is_followed(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    (root / "data/eval/golden.jsonl").unlink()
    write(root, "flows/qa/data/cases.jsonl", "".join(json.dumps(r) + "\n" for r in records(12)))
    assert probe_status(assess_repo(root), "eval.dataset") == "fail"
    write(
        root,
        "flows/qa/experiment.yaml",
        "name: qa\ndata:\n  - name: cases\n    source: data/cases.jsonl\n",
    )
    assert probe_status(assess_repo(root), "eval.dataset") == "pass"


def test_inline_prompt_is_initial_and_a_word_is_not_retrieval(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app/agent.py",
        'from openai import OpenAI\n\nSYSTEM_PROMPT = """You answer questions about the '
        'travel policy.\nCite the policy section."""\n',
    )
    write(tmp_path, "app/metrics.py", "# retrieval quality and vector recall are reported here\n")
    report = assess_repo(tmp_path)
    assert probe_status(report, "prompts.files") == "pass"
    assert dim(report, "prompts").level == 1
    assert not dim(report, "data").applicable


def test_agent_instructions_written_across_lines_are_an_inline_prompt(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app/agent.py",
        "from openai import OpenAI\n\n\ndef build(client: OpenAI) -> object:\n"
        "    instructions = (\n        'Use file search and cite the sources. '\n"
        "        'Answer only from the documents.'\n    )\n"
        "    return client.beta.assistants.create(instructions=instructions, model='m')\n",
    )
    assert probe_status(assess_repo(tmp_path), "prompts.files") == "pass"
    write(tmp_path, "app/agent.py", "from openai import OpenAI\n\nsettings = (\n    1,\n)\n")
    assert probe_status(assess_repo(tmp_path), "prompts.files") == "fail"
