"""The use cases this app serves, declared once in ``use_cases.json`` beside this module.

Settings check ``APP_USE_CASE`` against it, the API mounts a route per entry, ``python -m
<package>`` has a command per entry and the eval harness takes each suite's dataset fields and
scorer from it. An entry names:

- ``operation``: the route's name, the kind of its request-log rows, the CLI command;
- ``route`` and ``input``: ``question`` is the conversational router (``routes/chat``: history,
  sessions, streaming); ``text`` takes ``{"text"}`` or the ``{"doc_id"}`` of a grounding document
  (``routes/tasks``);
- ``output``: the result field holding the answer; ``prompt``: the prompt the handler runs;
- ``handler``: ``<module>:<attribute>`` in this package, an async
  ``(orchestrator, text, request_id=None)`` whose return annotation is the result model;
- ``search``: whether it needs the search index when deployed (``deploy/contract.py``);
- ``fields``, ``scorer``, ``reference``, ``judge_query``: what every golden record holds and how
  ``eval/suites.py`` scores it (``rag``, ``text`` against ``reference``, ``label``), and what an
  LLM judge is told the task was.

JSON, not YAML: ``deploy/`` reads it too, on a bare ``python3`` (standard library only). A new use
case is an entry there, its prompt folder, its golden dataset, its handler and its section in
``evals/thresholds.yaml`` (docs/app.md, "Use cases").
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

from pydantic import BaseModel

REGISTRY = Path(__file__).with_name("use_cases.json")
INPUTS = ("question", "text")
SCORERS = ("rag", "text", "label")

Handler = Callable[..., Awaitable[BaseModel]]


@dataclass(frozen=True)
class UseCase:
    name: str
    title: str
    operation: str
    route: str
    input: str
    output: str
    prompt: str
    handler: str
    description: str
    search: bool
    fields: tuple[str, ...]
    scorer: str
    reference: str = ""
    judge_query: str = ""

    def handler_function(self) -> Handler:
        return _resolve(self.handler)

    def result_model(self) -> type[BaseModel]:
        """The handler's return annotation: the route's response model."""
        model: type[BaseModel] = get_type_hints(self.handler_function())["return"]
        return model

    async def run(self, orchestrator: Any, text: str, request_id: str | None = None) -> BaseModel:
        return await self.handler_function()(orchestrator, text, request_id=request_id)


@cache
def _resolve(reference: str) -> Handler:
    module_name, _, attribute = reference.partition(":")
    target: Any = importlib.import_module(f".{module_name}", __package__)
    for part in attribute.split("."):
        target = getattr(target, part)
    handler: Handler = target
    return handler


def load(path: Path = REGISTRY) -> dict[str, UseCase]:
    """The entries of ``path``, checked: an unknown or missing key fails with the entry named."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of use case names to entries")
    keys = {f.name: f for f in dataclasses.fields(UseCase) if f.name != "name"}
    required = {k for k, f in keys.items() if f.default is dataclasses.MISSING}
    registry: dict[str, UseCase] = {}
    for name, entry in data.items():
        where = f"{path.name}: {name}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping")
        unknown, missing = set(entry) - set(keys), required - set(entry)
        if unknown or missing:
            raise ValueError(f"{where}: unknown {sorted(unknown)}, missing {sorted(missing)}")
        if entry["input"] not in INPUTS or entry["scorer"] not in SCORERS:
            raise ValueError(f"{where}: input must be one of {INPUTS}, scorer one of {SCORERS}")
        if entry["scorer"] == "text" and not entry.get("reference"):
            raise ValueError(f"{where}: the text scorer needs `reference` (a dataset field)")
        values = {**entry, "fields": tuple(entry["fields"]), "search": bool(entry["search"])}
        registry[str(name)] = UseCase(name=str(name), **values)
    return registry


USE_CASES: dict[str, UseCase] = load()
NAMES = tuple(USE_CASES)


def get(name: str) -> UseCase:
    try:
        return USE_CASES[name]
    except KeyError:
        raise ValueError(f"unknown use case {name!r} (known: {', '.join(NAMES)})") from None
