"""Answers given on the command line: ``--data KEY=VALUE`` and ``--data-file answers.yml``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.errors import GenaiopsError
from generator.questions import is_computed


def parse_data_options(items: Iterable[str]) -> dict[str, str]:
    """Turn repeated ``KEY=VALUE`` options into a mapping; later keys win."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GenaiopsError(f"--data expects KEY=VALUE, got {item!r}")
        data[key] = value
    return data


def load_data_file(path: Path) -> dict[str, Any]:
    """Read a YAML mapping of answers; anything else is a usage error."""
    from generator import safe_yaml

    loaded = safe_yaml.read_as_copier(path, f"--data-file {path}")
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise GenaiopsError(f"--data-file {path}: expected a mapping of question names to answers")
    return dict(loaded)


def merge_answers(file_data: Mapping[str, Any], cli_data: Mapping[str, Any]) -> dict[str, Any]:
    """``--data`` wins over ``--data-file``, as in Copier."""
    merged = dict(file_data)
    merged.update(cli_data)
    return merged


def check_known_keys(answers: Mapping[str, Any], questions: Mapping[str, Any]) -> None:
    """Copier silently accepts unknown keys, and lets ``--data`` override computed values
    (the escaped forms of answers, for one); neither may go unnoticed."""
    known = {name for name, spec in questions.items() if not is_computed(spec)}
    unknown = sorted(k for k in answers if k not in known)
    if unknown:
        asked = ", ".join(sorted(known))
        raise GenaiopsError(
            f"unknown question(s): {', '.join(unknown)} (the template asks: {asked})"
        )


def check_choices(answers: Mapping[str, Any], questions: Mapping[str, Any]) -> None:
    """Reject a value outside a question's choices before anything is rendered.

    Templated choices (the use cases of the registry, say) are rendered as Copier renders them,
    from the computed values and the other answers; when they cannot be, Copier validates them
    after rendering.
    """
    from generator.questions import computed_values, jinja_environment, rendered_choices

    env = None
    context: dict[str, Any] = {}
    for name, value in answers.items():
        spec = questions.get(name)
        if isinstance(value, float) and isinstance(spec, dict) and spec.get("type") == "str":
            raise GenaiopsError(
                f"invalid answer for {name}: YAML read {value!r} as a number (an unquoted 3.10 "
                f'is 3.1); quote it in the answers file: {name}: "..."'
            )
        if not isinstance(spec, dict) or "choices" not in spec:
            continue
        if env is None:
            env = jinja_environment()
            context = {**answers, **computed_values(questions, answers, env)}
        allowed = rendered_choices(spec, context, env)
        if allowed is None or any(isinstance(c, str) and "{{" in c for c in allowed):
            continue  # not renderable here: Copier validates them after rendering
        if value not in allowed and str(value) not in [str(c) for c in allowed]:
            raise GenaiopsError(
                f"invalid answer for {name}: {value!r} is not one of "
                + ", ".join(str(c) for c in allowed)
            )
