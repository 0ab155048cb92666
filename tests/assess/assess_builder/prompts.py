"""Fixture files for the prompts evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Prompt files, the loader and its test."""
    prm = lv["prompts"]
    eng = lv["engineering"]
    if prm == 1:
        write(
            root,
            "prompts/answer.txt",
            "You are a helpful assistant for the employee handbook. "
            "Answer the question using only the sources provided: {{question}}\n",
        )
    elif prm >= 2:
        version = "version: 1.2.0\n" if prm >= 3 else ""
        write(
            root,
            "prompts/answer.yaml",
            f"name: answer\n{version}model:\n  temperature: 0\n"
            "input_variables: [question, sources]\n"
            "template: |\n  You are a helpful assistant for the employee handbook.\n"
            "  Use only these sources: {{sources}}\n  Question: {{question}}\n",
        )
    if prm >= 1:
        write(
            root,
            "src/app/orchestrator.py",
            'from pathlib import Path\n\nPROMPTS = Path("prompts")\n\n\n'
            "def prompt_text(name: str) -> str:\n    return next(PROMPTS.glob(name + "
            "'.*')).read_text()\n",
        )
    if prm >= 2 and eng >= 1:
        write(
            root,
            "tests/test_prompts.py",
            "from app.orchestrator import prompt_text\n\n\n"
            "def test_render_prompt():\n    assert '{{question}}' in prompt_text('answer')\n",
        )


def add_compare(root: Path, lv: Levels, mk: Fragments) -> None:
    """Automated comparison of prompt variants."""
    prm = lv["prompts"]
    if prm >= 4:
        write(
            root,
            "evals/compare.py",
            "\n".join(
                [
                    "import json",
                    "import sys",
                    "",
                    "def main() -> int:",
                    "    a = json.load(open(sys.argv[1]))",
                    "    b = json.load(open(sys.argv[2]))",
                    "    delta = b['score'] - a['score']",
                    "    print('delta', delta)",
                    "    return 0",
                    "",
                    "if __name__ == '__main__':",
                    "    raise SystemExit(main())",
                    "",
                ]
            ),
        )
        mk["eval"].append(
            "compare: ## compare two prompt variants\n\t$(UV) run python -m evals.compare a.json "
            "b.json\n"
        )
