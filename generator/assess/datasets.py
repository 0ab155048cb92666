"""Evaluation datasets: count the records that carry real content.

A record counts when it has a non-empty input field and a non-empty expectation field, neither
of them a placeholder, and it is not a duplicate of an earlier record. This is what stops a file
of ``{"question": "TODO", "answer": "TODO"}`` rows from passing as a golden dataset.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.assess.collect import Repo

INPUT_KEYS = (
    "question",
    "chat_input",
    "user_query",
    "user_message",
    "query",
    "input",
    "prompt",
    "text",
    "source",
    "document",
    "user_input",
    "inputs",
    "messages",
    "conversation",
    "context_question",
)
EXPECT_KEYS = (
    "answer",
    "expected",
    "expected_answer",
    "expected_output",
    "ground_truth",
    "reference",
    "references",
    "reference_summary",
    "summary",
    "label",
    "labels",
    "expected_label",
    "category",
    "target",
    "output",
    "ideal",
    "truth",
    "relevant_doc_ids",
    "doc_ids",
    "expected_doc_ids",
    "cited_doc_ids",
    "citations",
    "contexts",
    "context",
    "gold",
    "response",
)
PLACEHOLDER = re.compile(
    r"^\s*(?:todo(?::.*)?|tbd|tba|fixme|xxx+|placeholder|lorem ipsum.*|changeme|change me|"
    r"n/?a|none|null|"
    r"example|sample|test|foo|bar|baz|\?+|\.+|-+|your (?:question|answer|text) here|"
    r"(?:question|answer|input|output|expected|label)\s*\d*)\s*$",
    re.I,
)
MAX_RECORDS = 20000
DATASET_GLOBS = (
    "data/eval*/**/*.{jsonl,json,csv}",
    "data/eval*.{jsonl,json,csv}",
    "evals/**/*.{jsonl,json,csv}",
    "evaluations/**/*.{jsonl,json,csv}",
    "eval/**/*.{jsonl,json,csv}",
    "tests/eval*/**/*.{jsonl,csv}",
    "**/golden*.{jsonl,json,csv}",
    "data/**/*eval*.{jsonl,json,csv}",
    "**/*eval*/**/*.{jsonl,json,csv}",
    "**/*.evalset.json",
    "**/*{eval,golden,test_set,testset,qa}*.{jsonl,csv}",
)
_NOT_DATASETS = re.compile(
    r"(^|/)(results?|runs?|baselines?|cache|\.cache|outputs?)(/|$)|"
    r"(summary|config|thresholds?|manifest|package|tsconfig)\.json$"
)


@dataclass
class Dataset:
    path: str
    records: int = 0  # parsed records
    valid: int = 0  # records with real input + expectation, distinct
    placeholders: int = 0
    duplicates: int = 0
    incomplete: int = 0
    invalid_lines: list[int] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    reference_free: bool = False  # inputs only: counts only for reference-free metrics


def _real(value: Any) -> str | None:
    """Normalised text of a value when it is real content, else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        if not value:
            return None
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)[:2000]
        inner = [_real(v) for v in (value if isinstance(value, list) else value.values())]
        return text if any(inner) else None
    text = " ".join(str(value).split())
    if not text or PLACEHOLDER.match(text):
        return None
    return text.lower()


def _pick(rec: dict[str, Any], keys: tuple[str, ...]) -> tuple[bool, str | None]:
    """(has such a key, real content of the first such key that has content)."""
    found = False
    lowered = {str(k).lower(): v for k, v in rec.items()}
    for key in keys:
        if key in lowered:
            found = True
            real = _real(lowered[key])
            if real:
                return True, real
    return found, None


def inspect_dataset(repo: Repo, rel: str) -> Dataset | None:
    text = repo.text(rel, limit=64 * 1024 * 1024)
    if text is None:
        return None
    ds = Dataset(rel)
    records: list[tuple[int, Any]] = []
    if rel.endswith(".jsonl"):
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append((i, json.loads(line)))
            except ValueError:
                ds.invalid_lines.append(i)
            if len(records) >= MAX_RECORDS:
                break
    elif rel.endswith(".json"):
        data = repo.json(rel)
        if isinstance(data, dict):
            for key in ("data", "records", "items", "examples", "tests", "rows", "eval_cases"):
                if isinstance(data.get(key), list):
                    data = data[key]
                    break
        if not isinstance(data, list):
            return None
        records = [(0, r) for r in data[:MAX_RECORDS]]
    else:
        try:
            reader = csv.DictReader(io.StringIO(text))
            records = [(i + 2, r) for i, r in zip(range(MAX_RECORDS), reader, strict=False)]
        except csv.Error:
            ds.invalid_lines.append(0)
    if ds.invalid_lines:
        repo.note(
            "invalid-json" if rel.endswith(".jsonl") else "invalid-csv",
            rel,
            f"{len(ds.invalid_lines)} line(s) are not valid records (first: line "
            f"{ds.invalid_lines[0]})",
            ds.invalid_lines[0] or None,
        )
    # a reference-free dataset (questions for groundedness/relevance judges) has no expectation
    # field in any record: then a real, distinct input is enough
    reference_free = not any(
        isinstance(r, dict) and _pick(_flatten(r), EXPECT_KEYS)[0] for _l, r in records[:200]
    )
    for _line, rec in records:
        if not isinstance(rec, dict):
            continue
        rec = _flatten(rec)
        ds.records += 1
        ds.fields.update(str(k) for k in rec)
        has_in, inp = _pick(rec, INPUT_KEYS)
        has_exp, exp = _pick(rec, EXPECT_KEYS)
        if reference_free and has_in:
            has_exp, exp = True, "(reference-free)"
            ds.reference_free = True
        if not (has_in and has_exp):
            ds.incomplete += 1
            continue
        if not inp or not exp:
            ds.placeholders += 1
            continue
        if inp in ds.inputs:
            ds.duplicates += 1
            continue
        ds.inputs.add(inp)
        ds.valid += 1
    return ds if ds.records or ds.invalid_lines else None


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    """One level of nesting lifted (``{"conversation": [...], "inputs": {"query": ...}}``,
    ADK eval cases), so the input and expectation keys are found where they are."""
    out = dict(rec)
    for value in rec.values():
        if isinstance(value, dict):
            for k, v in value.items():
                out.setdefault(str(k), v)
    return out


# a dataset named where an evaluation is configured: `source: data/x.jsonl`,
# `testdata_path: ...`, `data="..."`, `dataset_path = "..."`
NAMED = re.compile(
    r"(?:\b(?:source|data|dataset|data_path|dataset_path|testdata_path|test_data|eval_data|"
    r"golden|input_data|data_file)\b[\"']?\s*[:=]\s*[\"']?)([\w./-]+\.(?:jsonl|csv|json))\b",
    re.I,
)


def named_datasets(repo: Repo) -> list[str]:
    """Dataset files that eval configs and eval code name (resolved from the naming file's
    folder, then from the root)."""
    namers: list[str] = []
    for word in ("eval", "experiment", "flow", "config"):  # literal words: cheap prefilters
        for pattern in (
            f"**/*{word}*.{{yaml,yml,json,toml,py}}",
            f"**/*{word}*/**/*.{{yaml,yml,py}}",
        ):
            namers.extend(p for p in repo.glob(pattern) if "node_modules/" not in p)
    namers = list(dict.fromkeys(namers))[:400]
    out: list[str] = []
    for rel in namers:
        text = repo.text(rel) or ""
        if len(text) > 512 * 1024:
            continue
        base = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        for m in NAMED.finditer(text):
            name = m.group(1).removeprefix("./")
            for cand in (base + name, name):
                if repo.exists(cand) and cand not in out:
                    out.append(cand)
                    break
    return out


def find_datasets(repo: Repo) -> list[Dataset]:
    seen: set[str] = set()
    out: list[Dataset] = []
    for pattern in (*DATASET_GLOBS, None):
        for rel in repo.glob(pattern) if pattern else named_datasets(repo):
            if rel in seen or _NOT_DATASETS.search(rel) or "node_modules/" in rel:
                continue
            seen.add(rel)
            ds = inspect_dataset(repo, rel)
            if ds is not None:
                out.append(ds)
    return out
