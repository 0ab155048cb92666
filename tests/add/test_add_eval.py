"""`genaiops add eval`: the gate drives the repository's own app (declared in evals/target.yaml)
over its own golden set, fails closed on the skeleton's placeholders, and passes on real rows.

The slow tests run `make eval` for real: uv builds the harness's environment from
eval/requirements.txt (PyPI), and a small local app started by the test answers over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from local_app import serve
from resolve import unresolved
from shapes import commit, golden_rows, write

from generator.assess.run import assess_repo

BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/genaiops-eval.yml"
# the shape of the local app's API (a real RAG sample's: messages in, message.content out)
HTTP = [
    "--data",
    'eval_target_request={"messages": [{"role": "user", "content": "{question}"}]}',
    "--data",
    "eval_target_answer=message.content",
    "--data",
    "eval_target_citations=context.data_points",
]


def make_eval(root: Path, url: str = "", target: str = "eval") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    if url:
        env["EVAL_TARGET_URL"] = url
    return subprocess.run(
        ["make", "-s", target], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )


def prepare(root: Path) -> subprocess.CompletedProcess[str]:
    """The gate's first step with this interpreter (it needs only PyYAML): fast checks."""
    return subprocess.run(
        [sys.executable, "-m", "eval.adapter", "prepare"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def _levels(root: Path) -> tuple[dict[str, int], float]:
    report = assess_repo(root)
    return {d.dimension.id: d.level for d in report.dimensions}, report.overall.score


def _real_rows(n: int = 12) -> list[dict[str, object]]:
    return [
        {
            "id": f"w{i}",
            "question": f"How long is the warranty of product {i}?",
            "reference_answer": f"Product {i} has a warranty of {i + 1} years.",
            "cited_doc_ids": [f"sheet-{i}"],
        }
        for i in range(n)
    ]


def test_a_repo_without_a_dataset_gets_a_skeleton_and_the_gate_fails_closed(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("pytest-actions")
    result = cli("add", "eval", root, "--defaults", *HTTP)
    assert result.code == 0, result.err
    assert "golden set skeleton (evals/golden.jsonl)" in result.out
    rows = [json.loads(line) for line in (root / "evals/golden.jsonl").read_text().splitlines()]
    assert len(rows) == 3
    assert all(
        r["question"].startswith("TODO: a question users of pytest-actions ask") for r in rows
    )
    assert all(r["cited_doc_ids"][0].startswith("TODO:") for r in rows)
    gate = yaml.safe_load((root / "evals/gate.yaml").read_text())
    assert gate["rag_chat"]["source"] == "evals/golden.jsonl"
    assert gate["rag_chat"]["floors"] == {"rougeL": 0.3, "citation_recall": 0.5}
    target = yaml.safe_load((root / "evals/target.yaml").read_text())
    assert target["http"]["request"] == {"messages": [{"role": "user", "content": "{question}"}]}
    failed = prepare(root)
    assert failed.returncode == 1, failed.stderr
    assert "evals/golden.jsonl: 3 of 3 records are still placeholders" in failed.stderr
    guide = re.search(r"\((evals/[\w.-]+\.md)\)", failed.stderr)
    assert guide and (root / guide.group(1)).is_file(), failed.stderr  # the guide it names
    assert not (root / "evals/.cache/golden.rag_chat.jsonl").exists()
    # one placeholder left among real rows still fails
    mixed = [*_real_rows(11), {**rows[0]}]
    write(root, {"evals/golden.jsonl": "".join(json.dumps(r) + "\n" for r in mixed)})
    assert "1 of 12 records are still placeholders (records 12)" in prepare(root).stderr
    write(root, {"evals/golden.jsonl": "".join(json.dumps(r) + "\n" for r in _real_rows())})
    ready = prepare(root)
    assert ready.returncode == 0, ready.stderr
    assert "rag_chat: 12 records from evals/golden.jsonl" in ready.stdout
    view = (root / "evals/.cache/golden.rag_chat.jsonl").read_text().splitlines()
    assert json.loads(view[0]) == _real_rows()[0]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
    )
    assert "evals/.cache" not in status.stdout  # scratch space ignores itself


def test_the_eval_workflow_resolves_and_passes_the_linters(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("monorepo")
    assert cli("add", "eval", root, "--defaults").code == 0
    assert unresolved(root) == []
    workflow = yaml.safe_load((root / WORKFLOW).read_text())
    (job,) = workflow["jobs"].values()
    assert [s["run"] for s in job["steps"] if "run" in s] == ["make -s eval"]
    for argv in (
        [str(BIN / "actionlint"), "-no-color", WORKFLOW],
        [str(BIN / "zizmor"), "--offline", "--no-progress", WORKFLOW],
    ):
        lint = subprocess.run(argv, cwd=root, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr
    dry = subprocess.run(["make", "-n", "eval"], cwd=root, capture_output=True, text=True)
    assert "-m eval.adapter prepare --thresholds evals/gate.yaml" in dry.stdout


def _statuses(root: Path) -> dict[str, str]:
    report = assess_repo(root)
    return {p.definition.id: p.status for d in report.dimensions for p in d.probes}


def test_the_added_harness_is_not_taken_for_the_apps_own_practice(
    shape: Callable[[str], Path], cli
) -> None:
    """The harness imports mlflow, counts judge tokens and signs in with
    DefaultAzureCredential: that is the harness, not the app (on a real repository, adding it
    once turned monitoring.tracing, usage_metrics, safety.guardrails and keyless to pass)."""
    root = shape("pytest-actions")
    before = _statuses(root)
    assert cli("add", "eval", root, "--defaults", *HTTP).code == 0
    commit(root, "genaiops add eval")
    harness = (root / "eval/mlflow_export.py").read_text() + (root / "eval/judge.py").read_text()
    assert "import mlflow" in harness and "prompt_tokens" in harness  # what could be mistaken
    after = _statuses(root)
    changed = {k: (before[k], after[k]) for k in after if after[k] != before.get(k)}
    assert changed, "the gate itself should count for evaluation"
    assert all(k.startswith("eval.") for k in changed), changed


def test_an_existing_dataset_and_eval_config_are_reused(shape: Callable[[str], Path], cli) -> None:
    root = shape("existing-evals")
    result = cli("add", "eval", root, "--defaults", "--pretend", "--format", "json")
    assert result.code == 0, result.err
    steps = {(s["action"], s["what"]): s for s in json.loads(result.out)["plan"]["steps"]}
    assert steps[("reuse", "golden set")]["paths"] == ["evals/ground_truth.jsonl"]
    assert "truth -> reference_answer" in steps[("reuse", "golden set")]["detail"]
    assert (
        "http://127.0.0.1:50505/chat, as evals/eval_config.json"
        in steps[("reuse", "the app's endpoint")]["detail"]
    )
    assert ("reuse", "your evaluation") in steps
    assert not any(s[1] == "golden set skeleton" for s in steps)
    assert ("skip", "the request body") not in steps  # its tool's body is known
    # applied: the declaration posts what the repository's own eval tool posts
    assert cli("add", "eval", root, "--defaults").code == 0
    http = yaml.safe_load((root / "evals/target.yaml").read_text())["http"]
    assert http["request"] == {
        "messages": [{"content": "{question}", "role": "user"}],
        "context": {"overrides": {"top": 3, "retrieval_mode": "hybrid"}},
    }
    assert (http["answer"], http["citations"]) == ("message.content", "context.data_points")


def test_a_repo_with_an_eval_package_of_its_own_is_refused(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("pytest-actions")
    write(root, {"eval/__init__.py": "", "eval/run.py": "print('ours')\n"})
    commit(root, "own eval package")
    result = cli("add", "eval", root, "--defaults")
    assert result.code == 2
    assert "has an eval/ folder of its own (eval/__init__.py)" in result.err
    assert (root / "eval/run.py").read_text() == "print('ours')\n"
    assert not (root / "evals").exists()


def test_a_bad_declaration_is_a_usage_error(shape: Callable[[str], Path], cli) -> None:
    root = shape("existing-evals")
    assert cli("add", "eval", root, "--defaults").code == 0
    target = root / "evals/target.yaml"
    good = target.read_text()
    for bad, said in (
        (good.replace("kind: http", "kind: grpc"), "kind must be one of http, callable"),
        (good.replace('answer: "message.content"', 'answer: "message..x"'), "cannot read path"),
        (good.replace("{question}", "{q}"), "must contain {question}"),
    ):
        target.write_text(bad)
        proc = prepare(root)
        assert proc.returncode == 2 and said in proc.stderr, proc.stderr


def test_bad_answers_are_refused_before_anything_is_written(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("pytest-actions")
    for data, said in (
        ("eval_target_url=ftp://x", "eval_target_url must be an http:// or https:// URL"),
        ("eval_target_request={}", "must contain {question}"),
        ("eval_target_answer=a..b", "eval_target_answer must be a path"),
        ("eval_dataset=../outside.jsonl", "inside the repository"),
    ):
        result = cli("add", "eval", root, "--defaults", "--data", data)
        assert result.code == 2 and said in result.err, result.err
        assert not (root / "eval").exists() and not (root / "Makefile").exists()


@pytest.mark.slow
def test_make_eval_drives_the_app_over_http_fails_on_placeholders_passes_on_real_rows(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("pytest-actions")
    before = _levels(root)
    assert cli("add", "eval", root, "--defaults", *HTTP).code == 0
    commit(root, "genaiops add eval")
    with_skeleton = _levels(root)
    rows = _real_rows()
    table = {
        str(r["question"]): (str(r["reference_answer"]), list(r["cited_doc_ids"])) for r in rows
    }
    with serve(table) as url:
        closed = make_eval(root, url)
        assert closed.returncode != 0
        assert "3 of 3 records are still placeholders" in closed.stderr
        write(root, {"evals/golden.jsonl": "".join(json.dumps(r) + "\n" for r in rows)})
        passed = make_eval(root, url)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "## Eval gate: PASSED" in passed.stdout
        assert "| rougeL | 1.0000 |" in passed.stdout and "citation_recall" in passed.stdout
        assert "evals/gate.yaml providers.declared.cost" in passed.stdout  # the file it read
    # the same rows against an app that answers badly: the gate fails on quality
    with serve({}) as url:
        poor = make_eval(root, url)
        assert poor.returncode != 0 and "## Eval gate: FAILED" in poor.stdout
    # assess goes up, never down: the gate, then the dataset
    commit(root, "real golden rows")
    with_rows = _levels(root)
    for later, earlier in ((with_skeleton, before), (with_rows, with_skeleton)):
        assert all(later[0][d] >= level for d, level in earlier[0].items()), (earlier, later)
        assert later[1] > earlier[1]
    assert with_rows[0]["evaluation"] > before[0]["evaluation"]


@pytest.mark.slow
def test_make_eval_reads_the_repositorys_own_dataset_in_place(
    shape: Callable[[str], Path], cli
) -> None:
    root = shape("existing-evals")
    assert cli("add", "eval", root, "--defaults").code == 0  # the body its eval config implies
    table = {r["question"]: (r["truth"], []) for r in golden_rows()}
    with serve(table) as url:
        passed = make_eval(root, url)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "rag_chat: 12 records from evals/ground_truth.jsonl" in passed.stdout
    assert "citation_recall" not in passed.stdout  # its rows name no documents: not gated on


@pytest.mark.slow
def test_a_python_callable_is_called_in_process(shape: Callable[[str], Path], cli) -> None:
    root = shape("pytest-actions")
    rows = _real_rows()
    table = {r["question"]: (r["reference_answer"], r["cited_doc_ids"]) for r in rows}
    write(
        root,
        {
            "app/qa.py": "import asyncio\n\nTABLE = " + repr(table) + "\n\n\n"
            "async def answer(question):\n    await asyncio.sleep(0)\n"
            "    text, docs = TABLE.get(question, ('?', []))\n"
            "    return {'answer': text, 'sources': [{'id': d} for d in docs]}\n",
            "evals/golden.jsonl": "".join(json.dumps(r) + "\n" for r in rows),
        },
    )
    commit(root, "a callable")
    data = [
        "eval_target_kind=callable",
        "eval_target_callable=app.qa:answer",
        "eval_target_answer=answer",
        "eval_target_citations=sources",
    ]
    args = [x for d in data for x in ("--data", d)]
    assert cli("add", "eval", root, "--defaults", *args).code == 0
    assert "--with-requirements requirements-dev.txt" in (root / "mk/genaiops-eval.mk").read_text()
    passed = make_eval(root)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "target: callable app.qa:answer" in passed.stdout
    assert "## Eval gate: PASSED" in passed.stdout


@pytest.mark.slow
def test_the_app_is_chosen_interactively(shape: Callable[[str], Path], cli_env) -> None:
    """Without --data the questions are asked in a terminal: here the callable is chosen."""
    import pexpect

    from generator.questions import load_questions

    root = shape("pytest-actions")
    questions = load_questions(Path(__file__).parents[2])

    def asked(name: str) -> str:
        return re.escape(questions[name]["help"][:28])  # a long one is drawn in pieces

    env = {**cli_env, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "generator", "add", "eval", str(root)],
        env=env,
        encoding="utf-8",
        timeout=180,  # rendering the harness takes a while on a busy machine
        dimensions=(40, 200),
    )
    try:
        child.expect(asked("eval_target_kind"))
        child.send("\x1b[B\r")  # the second choice: a Python callable
        child.expect(asked("eval_target_callable"))
        child.send("\x15app.main:answer\r")  # Ctrl-U clears the pre-filled default
        child.expect(asked("eval_target_answer"))
        child.send("\x15answer\r")
        answered = {"eval_target_kind", "eval_target_callable", "eval_target_answer"}
        rest = [  # whatever else is asked (the golden set, the name ...): the defaults
            n
            for n, q in questions.items()
            if isinstance(q, dict)
            and "help" in q
            and q.get("when") is not False
            and n not in answered
            and n not in ("eval_target_url", "eval_target_request")
        ]
        while True:
            i = child.expect([pexpect.EOF, *(asked(n) for n in rest)])
            if i == 0:
                break
            rest.pop(i - 1)
            child.send("\r")
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    target = yaml.safe_load((root / "evals/target.yaml").read_text())
    assert target["kind"] == "callable"
    assert target["callable"]["function"] == "app.main:answer"
    assert "eval_target_kind: callable" in (root / ".copier-answers.eval.yml").read_text()
