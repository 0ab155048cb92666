"""Read a template's questions from its ``copier.yml`` without importing Copier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.errors import GenaiopsError

CONFIG_NAMES = ("copier.yml", "copier.yaml")


def find_config(template_dir: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = template_dir / name
        if candidate.is_file():
            return candidate
    return None


def load_questions(template_dir: Path) -> dict[str, Any]:
    """Question name -> its spec; settings (keys starting with ``_``) are left out."""
    from generator.inputs import read_text

    config = find_config(template_dir)
    if config is None:
        raise GenaiopsError(f"{template_dir} is not a Copier template (no copier.yml)")
    return parse_questions(read_text(config, str(config)), str(config))


def parse_questions(text: str, where: str) -> dict[str, Any]:
    """The questions of a ``copier.yml`` given as text (``where`` names it in errors)."""
    from generator import safe_yaml

    data = safe_yaml.parse(text, where) or {}
    if not isinstance(data, dict):
        raise GenaiopsError(f"{where}: expected a mapping of questions")
    questions: dict[str, Any] = {}
    for name, spec in data.items():
        if not isinstance(name, str) or name.startswith("_"):
            continue
        questions[name] = spec if isinstance(spec, dict) else {"default": spec}
    return questions
