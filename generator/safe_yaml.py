"""The one YAML loader: safe (no arbitrary tags), pure Python, the same error text everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import GenaiopsError

if TYPE_CHECKING:
    from ruamel.yaml import YAML


def loader() -> YAML:
    """A safe, pure-Python ruamel loader (the C loader differs across platforms)."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True)


def load(text: str) -> Any:
    """Parse one YAML document; errors are ruamel's (for callers that report them their way)."""
    return loader().load(text)


def parse(text: str, where: str) -> Any:
    """Parse one YAML document; invalid YAML is a one-line usage error naming ``where``."""
    from ruamel.yaml.error import YAMLError

    try:
        return load(text)
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        lines = str(exc).strip().splitlines()
        raise GenaiopsError(
            f"{where}: not valid YAML ({lines[0] if lines else type(exc).__name__})"
        ) from None


def read(path: Path, what: str) -> Any:
    """A YAML file the user named, read within the input bound, then parsed."""
    from generator.inputs import read_text

    return parse(read_text(path, what), what)
