"""Read a template's questions from its ``copier.yml`` without importing Copier.

``!include`` is resolved as Copier resolves it (the use case registry, ``use_cases.yml``, comes
in that way), and the template's computed values (``when: false``) and templated choices can be
rendered the way Copier renders them: a sandboxed Jinja environment rooted at the template,
with the filters Copier always loads. That lets genaiops refuse a bad answer before Copier runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import GenaiopsError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

CONFIG_NAMES = ("copier.yml", "copier.yaml")
# the Jinja extension Copier adds to every template environment (copier/_main.py jinja_env)
COPIER_JINJA_EXTENSIONS = ("jinja2_ansible_filters.AnsibleCoreFiltersExtension",)


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
    return parse_questions(read_text(config, str(config)), str(config), root=template_dir)


def parse_questions(text: str, where: str, root: Path | None = None) -> dict[str, Any]:
    """The questions of a ``copier.yml`` given as text (``where`` names it in errors).

    ``root`` is the template directory its ``!include`` paths are relative to; without it
    (copier.yml read from a git tag) an included value is ``None``.
    """
    from generator import safe_yaml

    data = safe_yaml.parse_copier_config(text, where, root) or {}
    if not isinstance(data, dict):
        raise GenaiopsError(f"{where}: expected a mapping of questions")
    questions: dict[str, Any] = {}
    for name, spec in data.items():
        if not isinstance(name, str) or name.startswith("_"):
            continue
        questions[name] = spec if isinstance(spec, dict) else {"default": spec}
    return questions


def is_computed(spec: Any) -> bool:
    """A ``when: false`` question: a value the template computes, never an answer."""
    return isinstance(spec, dict) and spec.get("when") is False


def jinja_environment(
    template_root: Path | None = None, *, strict: bool = True
) -> SandboxedEnvironment:
    """A sandboxed environment like Copier's: rooted at the template, its filters loaded.
    ``strict``: an undefined name is an error (Copier's default), not an empty string."""
    from jinja2 import FileSystemLoader, StrictUndefined, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(template_root)) if template_root else None,
        extensions=list(COPIER_JINJA_EXTENSIONS),
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def computed_values(
    questions: Mapping[str, Any], answers: Mapping[str, Any], env: SandboxedEnvironment
) -> dict[str, Any]:
    """The template's computed values for ``answers``, in copier.yml order (a later one may use
    an earlier one). A value that cannot be computed from these answers is left out."""
    values: dict[str, Any] = {}
    for name, spec in questions.items():
        if not is_computed(spec) or "default" not in spec:
            continue
        try:
            values[name] = _typed(spec, _render(spec["default"], {**answers, **values}, env))
        except Exception:  # noqa: S112 (not computable from these answers: Copier will)
            continue
    return values


def rendered_choices(
    spec: Mapping[str, Any], context: Mapping[str, Any], env: SandboxedEnvironment
) -> list[Any] | None:
    """The values a question's choices allow, rendered like Copier; None if they cannot be."""
    choices = spec.get("choices")
    if choices is None:
        return None
    try:
        if isinstance(choices, str):
            choices = _yaml(_render(choices, context, env))
        if isinstance(choices, dict):
            values = list(choices.values())
        elif isinstance(choices, list):
            values = [c[1] if isinstance(c, list | tuple) and len(c) == 2 else c for c in choices]
        else:
            return None
        values = [v.get("value") if isinstance(v, dict) else v for v in values]
        return [_render(v, context, env) for v in values]
    except Exception:  # not renderable without the other answers: Copier validates them
        return None


def _render(value: Any, context: Mapping[str, Any], env: SandboxedEnvironment) -> Any:
    if not isinstance(value, str) or ("{{" not in value and "{%" not in value):
        return value
    return env.from_string(value).render(**context)


def _typed(spec: Mapping[str, Any], value: Any) -> Any:
    kind = spec.get("type", "")
    if not isinstance(value, str):
        return value
    if kind in ("yaml", "json"):
        return _yaml(value)
    if kind == "bool":
        return value.strip().lower() in {"y", "yes", "t", "true", "on", "1"}
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def _yaml(text: str) -> Any:
    from generator import safe_yaml

    return safe_yaml.load(text)
