"""Versioned prompt files → Semantic Kernel prompt functions.

A prompt file (``prompts/<id>/<variant>.yaml``) holds the template text and its metadata: id,
version, description, input variables and model parameters. Loading validates all of it, so a
broken prompt fails at start-up and in CI, not in front of a user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_VARIABLE = re.compile(r"{{\s*\$(\w+)\s*}}")
REQUIRED_KEYS = ("id", "version", "template", "input_variables")


class PromptError(ValueError):
    """A prompt file is missing, malformed, or called with the wrong inputs."""


@dataclass(frozen=True)
class PromptFile:
    id: str
    version: str
    variant: str
    description: str
    template: str
    input_variables: tuple[dict[str, Any], ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def variable_names(self) -> list[str]:
        return [v["name"] for v in self.input_variables]

    def check_arguments(self, arguments: dict[str, Any]) -> None:
        missing = [
            v["name"]
            for v in self.input_variables
            if v.get("is_required", True) and not str(arguments.get(v["name"], "")).strip()
        ]
        if missing:
            raise PromptError(
                f"prompt {self.id} {self.version}: missing input {', '.join(missing)}"
            )
        unknown = sorted(set(arguments) - set(self.variable_names))
        if unknown:
            raise PromptError(
                f"prompt {self.id} {self.version}: unknown input {', '.join(unknown)}"
            )

    def to_function(self) -> Any:
        """A Semantic Kernel ``KernelFunctionFromPrompt`` (imported lazily: SK costs ~2.5 s)."""
        from semantic_kernel.connectors.ai.prompt_execution_settings import (
            PromptExecutionSettings,
        )
        from semantic_kernel.functions import KernelFunctionFromPrompt
        from semantic_kernel.prompt_template import InputVariable, PromptTemplateConfig

        config = PromptTemplateConfig(
            name=self.id,
            description=self.description,
            template=self.template,
            template_format="semantic-kernel",
            input_variables=[
                InputVariable(
                    name=v["name"],
                    description=v.get("description", ""),
                    is_required=bool(v.get("is_required", True)),
                )
                for v in self.input_variables
            ],
            execution_settings={"default": PromptExecutionSettings(**self.parameters)},
        )
        return KernelFunctionFromPrompt(
            function_name=self.id, plugin_name="prompts", prompt_template_config=config
        )


def load_prompt(path: Path) -> PromptFile:
    """Parse and validate one prompt file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PromptError(f"{path}: cannot read prompt file: {exc}") from exc
    if not isinstance(data, dict):
        raise PromptError(f"{path}: a prompt file must be a YAML mapping")
    missing = [k for k in REQUIRED_KEYS if not data.get(k)]
    if missing:
        raise PromptError(f"{path}: missing {', '.join(missing)}")
    if data["id"] != path.parent.name:
        raise PromptError(
            f"{path}: id {data['id']!r} does not match its folder {path.parent.name!r}"
        )
    variables = data["input_variables"]
    if not isinstance(variables, list) or not all(
        isinstance(v, dict) and v.get("name") for v in variables
    ):
        raise PromptError(f"{path}: input_variables must be a list of {{name, description}}")
    declared = {v["name"] for v in variables}
    used = set(_VARIABLE.findall(data["template"]))
    if used - declared:
        raise PromptError(f"{path}: template uses undeclared {', '.join(sorted(used - declared))}")
    if declared - used:
        raise PromptError(f"{path}: declared but unused {', '.join(sorted(declared - used))}")
    parameters = (data.get("model") or {}).get("parameters") or {}
    if not isinstance(parameters, dict):
        raise PromptError(f"{path}: model.parameters must be a mapping")
    return PromptFile(
        id=data["id"],
        version=str(data["version"]),
        variant=path.stem,
        description=str(data.get("description", "")),
        template=data["template"],
        input_variables=tuple(variables),
        parameters=dict(parameters),
        path=path,
    )


class PromptLibrary:
    """All prompts of the app, in one variant (falling back to ``default`` per prompt)."""

    def __init__(self, root: Path, variant: str = "default") -> None:
        if not root.is_dir():
            raise PromptError(f"prompts folder not found: {root}")
        self.root = root
        self.variant = variant
        ids = sorted(p.name for p in root.iterdir() if (p / "default.yaml").is_file())
        if not ids:
            raise PromptError(f"no prompts in {root} (expected <id>/default.yaml)")
        if variant != "default" and not any((root / i / f"{variant}.yaml").is_file() for i in ids):
            raise PromptError(f"prompt variant {variant!r} exists for no prompt in {root}")
        self.prompts = {
            i: load_prompt(
                root / i / f"{variant}.yaml"
                if (root / i / f"{variant}.yaml").is_file()
                else root / i / "default.yaml"
            )
            for i in ids
        }

    def get(self, prompt_id: str) -> PromptFile:
        try:
            return self.prompts[prompt_id]
        except KeyError:
            raise PromptError(f"no prompt {prompt_id!r} in {self.root}") from None

    def variants(self, prompt_id: str) -> list[str]:
        return sorted(p.stem for p in (self.root / prompt_id).glob("*.yaml"))
