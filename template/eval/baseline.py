"""The committed baseline of one provider: ``evals/baseline/<provider>/``.

It keeps the run's config (producer, prompt hashes, dataset hashes), its summary and the
per-item scores the paired regression test needs, not the app's outputs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.producer import Producer
from eval.runner import Row

CONFIG, SUMMARY, SCORES = "config.json", "summary.json", "scores.jsonl"


@dataclass(frozen=True)
class Baseline:
    directory: Path
    config: dict[str, Any]
    summary: dict[str, Any]
    scores: dict[str, dict[str, dict[str, float]]]  # suite -> metric -> {item_id: value}

    @property
    def producer(self) -> Producer | None:
        return Producer.from_dict(self.config.get("producer"))

    @property
    def prompt_files(self) -> dict[str, dict[str, str]]:
        return dict(self.config.get("prompt_files") or {})


def _dump(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def load_scores(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """suite -> metric -> {item_id: value}, from a baseline's scores.jsonl or a run's rows."""
    scores: dict[str, dict[str, dict[str, float]]] = {}
    if not path.is_file():
        return scores
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("error"):
            continue
        for metric, value in (record.get("metrics") or {}).items():
            scores.setdefault(record["suite"], {}).setdefault(metric, {})[record["item_id"]] = value
    return scores


def load_baseline(directory: Path) -> Baseline | None:
    """The baseline in ``directory``, or None when none was recorded there."""
    if not (directory / SCORES).is_file():
        return None

    def read(name: str) -> dict[str, Any]:
        path = directory / name
        return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}

    return Baseline(directory, read(CONFIG), read(SUMMARY), load_scores(directory / SCORES))


def write_baseline(
    directory: Path, config: dict[str, Any], rows: list[Row], summary: dict[str, Any]
) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    _dump(directory / CONFIG, config)
    _dump(directory / SUMMARY, summary)
    with (directory / SCORES).open("w", encoding="utf-8") as sink:
        for row in sorted(rows, key=lambda r: (r.suite, r.item_id)):
            if row.error is None:
                record = {"suite": row.suite, "item_id": row.item_id, "metrics": row.metrics}
                sink.write(json.dumps(record, sort_keys=True) + "\n")
