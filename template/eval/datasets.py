"""Golden datasets: BEIR-shaped retrieval data and one JSONL per use case.

Every loader validates what the scorers rely on and fails with the file and line, so a broken
dataset stops the gate instead of silently shrinking it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from eval.errors import UsageError
from eval.use_cases import USE_CASES

# what every record of a use case's dataset holds: its entry's `fields` in the app's registry
REQUIRED_FIELDS = {name: tuple(use_case.fields) for name, use_case in USE_CASES.items()}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file; blank lines are skipped, anything else must be a JSON object."""
    if not path.is_file():
        raise UsageError(f"dataset not found: {path}")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise UsageError(f"{path}:{number}: expected a JSON object")
        records.append(record)
    return records


def load_golden(suite: str, path: Path) -> list[dict[str, Any]]:
    """The golden records of ``suite``, checked for required fields and unique ids."""
    required = REQUIRED_FIELDS.get(suite)
    if required is None:
        raise UsageError(f"unknown suite '{suite}' (known: {', '.join(REQUIRED_FIELDS)})")
    records = read_jsonl(path)
    seen: set[str] = set()
    for index, record in enumerate(records, start=1):
        missing = [f for f in required if f not in record]
        if missing:
            raise UsageError(f"{path}: record {index} lacks {', '.join(missing)}")
        item_id = str(record["id"])
        if item_id in seen:
            raise UsageError(f"{path}: duplicate id '{item_id}'")
        seen.add(item_id)
    return records


def load_queries(path: Path) -> dict[str, str]:
    """BEIR ``queries.jsonl``: ``{"_id", "text"}`` per line."""
    return {str(r["_id"]): str(r["text"]) for r in read_jsonl(path)}


def load_corpus(path: Path) -> dict[str, dict[str, str]]:
    """BEIR ``corpus.jsonl``: ``{"_id", "title", "text"}`` per line."""
    return {
        str(r["_id"]): {"title": r.get("title", ""), "text": r["text"]} for r in read_jsonl(path)
    }


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """BEIR ``qrels.tsv`` (header ``query-id corpus-id score``): graded relevance per query."""
    if not path.is_file():
        raise UsageError(f"qrels not found: {path}")
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows, None)
        if header != ["query-id", "corpus-id", "score"]:
            raise UsageError(f"{path}: header must be 'query-id<TAB>corpus-id<TAB>score'")
        for number, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != 3 or not row[2].strip().lstrip("-").isdigit():
                raise UsageError(f"{path}:{number}: expected query-id, corpus-id, integer score")
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return qrels


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the repository when it is inside it, else absolute."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def hash_files(paths: Iterable[Path], root: Path) -> str:
    """sha256 over (relative path, bytes) of ``paths``: the identity of a dataset or corpus."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(display_path(path, root).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def manifest_hash(docs_dir: Path, root: Path) -> str:
    """Identity of the grounding documents the index is built from."""
    files = [p for p in docs_dir.rglob("*") if p.is_file()] if docs_dir.is_dir() else []
    return hash_files(files, root)
