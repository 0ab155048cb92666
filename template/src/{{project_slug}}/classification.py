"""Log triage helpers: the configured categories and the model's JSON reply, normalised."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml


def load_categories(path: Path) -> list[dict[str, Any]]:
    """The configured categories (``data/categories.yaml``), validated."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read categories from {path}: {exc}") from exc
    categories = data.get("categories") if isinstance(data, dict) else None
    if not categories or not all(isinstance(c, dict) and c.get("name") for c in categories):
        raise ValueError(f"{path}: expected 'categories:' with a name for each entry")
    return list(categories)


def category_lines(categories: list[dict[str, Any]]) -> str:
    """The CATEGORIES block of the triage prompt."""
    return "\n".join(
        f"- {c['name']}: {c.get('description', '')} (signals: {', '.join(c.get('signals', []))})"
        for c in categories
    )


def parse_classification(raw: str, names: set[str]) -> dict[str, Any]:
    """The model's JSON reply, normalised: an unknown label becomes a proposed new category."""
    match = re.search(r"\{.*\}", raw, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    label = str(data.get("label") or "other").strip()
    proposed = data.get("proposed_category")
    is_new = bool(data.get("is_new_category")) or label not in names
    if label not in names:
        proposed = proposed or (label if label != "other" else None)
        label = "other"
    raw_probabilities = data.get("probabilities")
    probabilities = None
    if isinstance(raw_probabilities, dict):
        probabilities = {
            str(k): float(v) for k, v in raw_probabilities.items() if isinstance(v, int | float)
        }
    return {
        "label": label,
        "is_new_category": is_new,
        "proposed_category": str(proposed) if is_new and proposed else None,
        "rewrite": str(data.get("rewrite") or ""),
        "probabilities": probabilities,
    }
