"""Real evidence in shapes the engine once missed: make functions and variables in recipes,
src-layout packages behind ``python -m``, UUIDs next to secret-like names, and a monitor that
opens its issue from a later job through make and a script. Each shape has a negative twin."""

from __future__ import annotations

from pathlib import Path

import pytest
from assess_builder import records, write
from report_lookup import probe_status

from generator.assess.chains import Resolver
from generator.assess.collect import Repo
from generator.assess.facts import Facts
from generator.assess.makefile import Makefile
from generator.assess.run import assess_repo
from generator.assess.shell import ShellState

MAKEFILE = """\
SHELL := /bin/bash
PYTHON ?= python3
UV ?= $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
PACKAGE := acme_bot
SYNC_FLAGS ?= $(if $(CI),--locked,)

.tools/bin/uv:
\t$(PYTHON) -m venv .tools
\t.tools/bin/python -m pip install uv

.venv/.synced: pyproject.toml $(wildcard uv.lock) | $(UV)
\t$(UV) sync --quiet $(SYNC_FLAGS)
\t@touch $@

install: .venv/.synced

include $(sort $(wildcard make/*.mk))
"""
RULES = """\
QUALITY := $(UV) run --group quality python -m quality
.PHONY: eval ingest
eval: install ## the quality gate
\t$(QUALITY) gate --thresholds quality/limits.yaml $(if $(VARIANT),--variant '$(VARIANT)')

ingest: install ## index the handbook
\t$(UV) run python -m $(PACKAGE) ingest $(if $(FULL),--full)
"""
QUALITY_CLI = "\n".join(
    [
        '"""Quality gate: score every record, compare with the limits, exit 1 below them."""',
        "import json",
        "import sys",
        "from pathlib import Path",
        "",
        "",
        "def rouge_l(a: str, b: str) -> float:",
        "    x, y = a.split(), b.split()",
        "    common = len(set(x) & set(y))",
        "    return common / max(len(x), len(y), 1)",
        "",
        "",
        "def main(argv: list[str]) -> int:",
        "    lines = Path('data/eval/golden.jsonl').read_text().splitlines()",
        "    rows = [json.loads(x) for x in lines]",
        "    scores = [rouge_l(r['answer'], r['answer']) for r in rows]",
        "    mean = sum(scores) / len(scores)",
        "    print(json.dumps({'rougeL': mean}))",
        "    return 0 if mean >= 0.5 else 1",
        "",
    ]
)
BOT_MAIN = """\
import argparse
import sys

from .indexing import build_index


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ingest")
    sub.add_parser("serve")
    args = parser.parse_args()
    if args.command == "ingest":
        return build_index()
    return 0


sys.exit(main())
"""
BOT_INDEXING = """\
from pathlib import Path

CHUNK_SIZE = 800
CHUNK_OVERLAP = 100


def chunk(text: str) -> list[str]:
    step = CHUNK_SIZE - CHUNK_OVERLAP
    return [text[i : i + CHUNK_SIZE] for i in range(0, len(text), step)]


def build_index() -> int:
    pieces = []
    for doc in sorted(Path("corpus").glob("*.md")):
        pieces.extend(chunk(doc.read_text()))
    Path("index.txt").write_text("\\n".join(pieces))
    return 0
"""


def _repo(root: Path) -> Path:
    write(root, "Makefile", MAKEFILE)
    write(root, "make/rules.mk", RULES)
    write(root, "pyproject.toml", '[project]\nname = "acme-bot"\nversion = "0.1.0"\n')
    write(root, "quality/__main__.py", "from quality.cli import main\nraise SystemExit(main([]))\n")
    write(root, "quality/__init__.py", "")
    write(root, "quality/cli.py", QUALITY_CLI)
    write(root, "quality/limits.yaml", "metrics:\n  rougeL:\n    min: 0.5\n")
    write(root, "src/acme_bot/__init__.py", "")
    write(root, "src/acme_bot/__main__.py", BOT_MAIN)
    write(root, "src/acme_bot/indexing.py", BOT_INDEXING)
    golden = "".join(
        f'{{"question": "{r["question"]}", "answer": "{r["answer"]}"}}\n' for r in records()
    )
    write(root, "data/eval/golden.jsonl", golden)
    return root


def test_make_functions_expand_like_make() -> None:
    mk = Makefile(
        variables={
            "UV": "$(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)",
            "TOOL": "$(or $(shell git rev-parse HEAD),fallback)",
            "PKG": "acme",
            "SRCS": "a.c b.c",
        }
    )
    assert mk.expand("$(UV) run python -m $(PKG) x $(if $(FULL),--full)").split() == [
        "uv",
        "run",
        "python",
        "-m",
        "acme",
        "x",
    ]
    assert mk.expand("$(TOOL)") == "fallback"  # any other $(shell) is unknown: empty
    assert mk.expand("$(if $(PKG),yes,no) $(if $(UNSET),yes,no)") == "yes no"
    assert mk.expand("$(SRCS:.c=.o) $(patsubst %.c,%.h,$(SRCS)) ${PKG}") == "a.o b.o a.h b.h acme"
    assert mk.expand("echo $$HOME $@ $(MAKE)") == "echo $HOME $@ make"
    assert mk.expand("$(sort $(wildcard mk/*.mk))") == "mk/*.mk"


def test_eval_target_through_make_functions_reaches_the_module(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    report = assess_repo(root)
    assert probe_status(report, "eval.entrypoint") == "pass"
    leaves = Resolver(Repo.scan(root)).resolve_script(
        "make eval", "ci.yml", 1, ShellState(True, False)
    )
    commands = [leaf.text for leaf in leaves]
    assert "uv sync --quiet" in commands  # the order-only `| $(UV)` prerequisite is not garbage
    quality = next(leaf for leaf in leaves if "quality" in leaf.text)
    assert quality.argv[:4] == ("python", "-m", "quality", "gate")
    assert quality.hops[-1].path == "quality/__main__.py"


def test_eval_module_without_code_still_fails(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    (root / "quality/cli.py").unlink()
    write(root, "quality/__main__.py", "print('ok')\n")
    assert probe_status(assess_repo(root), "eval.entrypoint") == "fail"


def test_ingest_target_with_a_package_variable_reaches_src_layout_chunking(
    tmp_path: Path,
) -> None:
    root = _repo(tmp_path / "r")
    assert probe_status(assess_repo(root), "data.ingest.entrypoint") == "pass"
    # the same target without any chunking code behind it
    write(root, "src/acme_bot/indexing.py", "def build_index() -> int:\n    return 0\n")
    assert probe_status(assess_repo(root), "data.ingest.entrypoint") == "fail"


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'", "pass"),
        ("var readerSecretRole = 'ACDD72A7-3385-48EF-BD42-F606FBA81AE7'", "pass"),
        ("var storageSecret = 'q8Vf3kLm9PzX2rT7wY4nB6cD1eH5jK0s'", "fail"),
        ("var apiToken = '4633458b17de408ab8740445c86b69e6abcd'", "fail"),
    ],
)
def test_uuids_are_identifiers_not_secrets(tmp_path: Path, line: str, status: str) -> None:
    root = tmp_path / "r"
    write(root, "infra/vault.bicep", f"param location string\n{line}\n")
    assert probe_status(assess_repo(root), "safety.no_secrets") == status


MONITOR_WF = """\
name: watch
on:
  schedule:
    - cron: "0 6 * * *"
permissions: {}
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: make monitor
  report:
    needs: check
    if: failure()
    runs-on: ubuntu-latest
    permissions:
      issues: write
    steps:
      - name: issue
        run: make notify
"""
NOTIFY = """\
import subprocess
import sys


def main() -> int:
    body = open("reports/watch.md").read()
    return subprocess.run(
        ["gh", "issue", "create", "--title", "Quality regression", "--body", body]
    ).returncode


sys.exit(main())
"""


def _monitor_repo(root: Path) -> Path:
    write(
        root,
        "Makefile",
        "PY ?= python3\nmonitor:\n\t$(PY) ops/watch.py\nnotify:\n\t$(PY) ops/notify.py\n",
    )
    write(root, "ops/watch.py", "import sys\nsys.exit(0)\n")
    write(root, "ops/notify.py", NOTIFY)
    write(root, ".github/workflows/watch.yml", MONITOR_WF)
    return root


def test_monitor_issue_opened_by_a_later_job_through_make_counts(tmp_path: Path) -> None:
    root = _monitor_repo(tmp_path / "r")
    report = assess_repo(root)
    assert probe_status(report, "monitoring.alerts") == "pass"
    msgs = [f.message for d in report.dimensions for r in d.probes for f in r.findings]
    assert any("opens an issue" in m and "make notify" in m for m in msgs), msgs


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("        run: make notify\n", "        if: false\n        run: make notify\n"),
        ("    needs: check\n", ""),  # an unrelated job that happens to open issues
        ('["gh", "issue", "create",', '["gh", "issue", "list",'),
    ],
)
def test_issue_step_that_cannot_follow_the_monitor_does_not_count(
    tmp_path: Path, old: str, new: str
) -> None:
    root = _monitor_repo(tmp_path / "r")
    for rel in (".github/workflows/watch.yml", "ops/notify.py"):
        text = (root / rel).read_text()
        (root / rel).write_text(text.replace(old, new))
    assert probe_status(assess_repo(root), "monitoring.alerts") == "fail"


def test_a_module_of_a_deploy_package_is_not_a_deploy(tmp_path: Path) -> None:
    root = tmp_path / "r"
    write(root, "Makefile", "watch:\n\tpython -m deploy.monitor check\n")
    write(root, "deploy/__init__.py", "")
    write(root, "deploy/monitor.py", "print('watching')\n")
    write(root, "deploy/canary.py", "print('rolling out')\n")
    facts = Facts(Repo.scan(root))
    state = ShellState(True, False)
    watch = facts.resolver.resolve_script("python -m deploy.monitor check", "x", 1, state)
    roll = facts.resolver.resolve_script("python -m deploy.canary rollout", "x", 1, state)
    assert not facts.is_deploy(watch[0])
    assert facts.is_deploy(roll[0])
