"""The one YAML module: safe loaders (no arbitrary tags) and one error text. Our files and the
repositories assess reads are YAML 1.2 (ruamel, pure Python); Copier's data is read as Copier
reads it."""

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
        raise _invalid(where, exc) from None


def read(path: Path, what: str) -> Any:
    """A YAML file the user named, read within the input bound, then parsed."""
    from generator.inputs import read_text

    return parse(read_text(path, what), what)


def parse_as_copier(text: str, where: str) -> Any:
    """Copier's own data (answers files, ``--data-file``) parsed as Copier parses it: PyYAML's
    safe loader, YAML 1.1. Copier writes ``project_name: 08`` unquoted because YAML 1.1 reads
    it as a string; a YAML 1.2 reader would read the number 8."""
    import yaml

    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _invalid(where, exc) from None


def read_as_copier(path: Path, what: str) -> Any:
    """A Copier data file the user named, read within the input bound, parsed as Copier does."""
    from generator.inputs import read_text

    return parse_as_copier(read_text(path, what), what)


def parse_copier_config(text: str, where: str, root: Path | None) -> Any:
    """A ``copier.yml`` as Copier reads it: each ``!include PATTERN`` becomes the YAML documents
    of the files matching PATTERN under ``root``, lists flattened (Copier's
    ``load_template_config``). Without ``root`` (a copier.yml read from a git tag, not from a
    directory) an include stays unresolved: ``None``."""
    documents = [d for d in _load_documents(text, where, root) if d is not None]
    if len(documents) > 1 and all(isinstance(d, dict) for d in documents):
        merged: dict[Any, Any] = {}
        for document in documents:  # Copier merges the documents; a later one wins
            merged.update(document)
        return merged
    return documents[0] if documents else None


def _load_documents(text: str, where: str, root: Path | None) -> list[Any]:
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.error import YAMLError

    class Constructor(SafeConstructor):
        """The safe constructor plus ``!include`` (a subclass: the shared one is not changed)."""

    def include(constructor: SafeConstructor, node: Any) -> Any:
        pattern = str(constructor.construct_scalar(node))
        return None if root is None else _included(pattern, root, where)

    Constructor.add_constructor("!include", include)
    yaml = loader()
    yaml.Constructor = Constructor
    try:
        return list(yaml.load_all(text))
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _invalid(where, exc) from None


def _included(pattern: str, root: Path, where: str) -> list[Any]:
    from generator.inputs import read_text

    if Path(pattern).is_absolute():
        raise GenaiopsError(f"{where}: !include {pattern}: the path must be relative")
    base = root.resolve()
    documents: list[Any] = []
    for path in sorted(base.glob(pattern)):
        resolved = path.resolve()
        if not resolved.is_relative_to(base):
            raise GenaiopsError(f"{where}: !include {pattern}: {path} is outside the template")
        what = f"{where}: !include {resolved.relative_to(base).as_posix()}"
        loaded = _load_documents(read_text(resolved, what), what, root)
        documents.extend(d for d in loaded if d is not None)
    return _flatten(documents)


def _flatten(items: list[Any] | tuple[Any, ...]) -> list[Any]:
    flat: list[Any] = []
    for item in items:
        flat.extend(_flatten(item) if isinstance(item, list | tuple) else [item])
    return flat


def _invalid(where: str, exc: Exception) -> GenaiopsError:
    """The one error text for YAML that does not parse: its first line, naming ``where``."""
    lines = str(exc).strip().splitlines()
    return GenaiopsError(f"{where}: not valid YAML ({lines[0] if lines else type(exc).__name__})")
