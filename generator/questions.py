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
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    config = find_config(template_dir)
    if config is None:
        raise GenaiopsError(f"{template_dir} is not a Copier template (no copier.yml)")
    try:
        data = YAML(typ="safe", pure=True).load(config.read_text(encoding="utf-8")) or {}
    except YAMLError as exc:
        raise GenaiopsError(f"{config}: invalid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise GenaiopsError(f"{config}: expected a mapping of questions")
    questions: dict[str, Any] = {}
    for name, spec in data.items():
        if not isinstance(name, str) or name.startswith("_"):
            continue
        questions[name] = spec if isinstance(spec, dict) else {"default": spec}
    return questions
