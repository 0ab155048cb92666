"""Shared pieces of the fixture builder: level and fragment types, file and workflow writers."""

from __future__ import annotations

from pathlib import Path

Levels = dict[str, int]  # dimension id -> level its fixture evidences
Fragments = dict[str, list[str]]  # Makefile fragments, written to mk/<name>.mk

DIMS = ("data", "prompts", "evaluation", "delivery", "monitoring", "safety", "infra", "engineering")
SHA = "0123456789abcdef0123456789abcdef01234567"
TOPICS = [
    "vacation days",
    "parental leave",
    "expense limits",
    "remote work",
    "laptop refresh",
    "on-call pay",
    "travel booking",
    "training budget",
    "sick leave",
    "pension plan",
    "bike lease",
    "office hours",
    "security badges",
    "meal vouchers",
    "overtime rules",
]


def records(n: int = 12) -> list[dict[str, object]]:
    return [
        {
            "id": f"q{i:03d}",
            "question": f"What does the handbook say about {TOPICS[i % len(TOPICS)]} "
            f"for employees hired in {2010 + i}?",
            "answer": f"The {TOPICS[i % len(TOPICS)]} policy for the {2010 + i} cohort is "
            "described in "
            f"section {i + 1} of the handbook.",
            "doc_ids": [f"doc-{i % 3}"],
        }
        for i in range(n)
    ]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _action(name: str, version: str, pinned: bool) -> str:
    return f"{name}@{SHA} # {version}" if pinned else f"{name}@{version}"


def _workflow(name: str, on: str, jobs: list[str], eng: int) -> str:
    perms = "permissions: {}\n" if eng >= 3 else ""
    return f"name: {name}\n{on}{perms}jobs:\n" + "".join(jobs)


def _job(jid: str, steps: list[str], eng: int, extra: str = "") -> str:
    checkout = (
        f"      - uses: {_action('actions/checkout', 'v4', eng >= 3)}\n"
        "        with:\n          persist-credentials: false\n"
    )
    perms = (
        "    permissions:\n      contents: read\n"
        if eng >= 3 and "permissions" not in extra
        else ""
    )
    return f"  {jid}:\n    runs-on: ubuntu-latest\n{perms}{extra}    steps:\n{checkout}" + "".join(
        steps
    )


def _step(name: str, run: str, extra: str = "") -> str:
    return f"      - name: {name}\n{extra}        run: {run}\n"
