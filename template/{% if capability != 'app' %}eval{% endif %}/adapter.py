"""Targets declared in ``evals/target.yaml``: the repository's own app, however it is called.

``genaiops add eval`` brings the harness into a repository it did not generate. There is no
``src/<package>/orchestrator.py`` to build in-process, so the app is declared instead:

* ``kind: http``: a running endpoint. ``request`` is the JSON body with ``{question}`` where
  the question goes; ``answer`` and ``citations`` say where they are in the JSON response
  (``message.content``, ``choices[0].message.content``, ``context.data_points``).
  ``EVAL_TARGET_URL`` overrides ``url`` (CI points it at a staging app).
* ``kind: callable``: ``module:function`` called with the question (sync or async), returning
  the answer text or an object the same ``answer`` / ``citations`` paths read.

``python -m eval.adapter prepare`` runs first in ``make eval``: it checks the declaration and
writes the golden set the harness reads from the repository's own dataset (``source`` and
``fields`` in the gate config), failing closed while that dataset still holds placeholders.
Exit codes: 0 ready, 1 gate failed (placeholders), 2 usage error.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import inspect
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.errors import AppStartError, UsageError

ROOT = Path(__file__).resolve().parent.parent
TARGET_FILE = Path("evals") / "target.yaml"
KINDS = ("http", "callable")
# where a document id usually is in one citation of a response
ID_KEYS = ("doc_id", "id", "document_id", "source", "filepath", "url", "title")
# what the harness's rag_chat suite reads from a golden record
SCHEMA = ("question", "reference_answer", "cited_doc_ids")
# the skeleton `genaiops add eval` writes marks every value it could not know with TODO;
# values like these never count as a real record (the gate fails closed on them)
PLACEHOLDER = re.compile(
    r"^\s*(?:todo(?::.*)?|tbd|fixme|xxx+|placeholder|changeme|lorem ipsum.*|your (?:question|"
    r"answer) here|\?+|\.+|-+)\s*$",
    re.I,
)
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"{where} must be a mapping")
    return value


def _text(value: Any, where: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise UsageError(f"{where} must be a string (got {value!r})")
    return value


def parse_path(path: str, where: str) -> list[str | int]:
    """``a.b[0].c`` -> ``["a", "b", 0, "c"]``; the empty path is the value itself."""
    if not path:
        return []
    steps: list[str | int] = []
    pos = 0
    for match in _STEP.finditer(path):
        if match.start() != pos and path[pos:match.start()] != ".":
            raise UsageError(f"{where}: cannot read path {path!r} (use a.b[0].c)")
        key, index = match.groups()
        steps.append(int(index) if index is not None else key)
        pos = match.end()
    if pos != len(path) or not steps:
        raise UsageError(f"{where}: cannot read path {path!r} (use a.b[0].c)")
    return steps


def read_path(value: Any, steps: list[str | int]) -> Any:
    """Follow ``steps`` into ``value`` (dict keys, list indexes, object attributes)."""
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list | tuple) or step >= len(value):
                raise LookupError(step)
            value = value[step]
        elif isinstance(value, dict):
            if step not in value:
                raise LookupError(step)
            value = value[step]
        elif hasattr(value, step):
            value = getattr(value, step)
        else:
            raise LookupError(step)
    return value


def as_json(value: Any) -> Any:
    """pydantic models, dataclasses and plain objects as JSON-ready values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses

        return dataclasses.asdict(value)
    return value


def citation_ids(value: Any, id_key: str = "") -> list[str]:
    """Document ids of the citations a response holds: a list of ids, a list of objects
    (``id_key`` or the usual id fields), or a mapping keyed by id."""
    value = as_json(value)
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(k) for k in value]
    if not isinstance(value, list | tuple):
        return [str(value)]
    ids: list[str] = []
    for item in value:
        item = as_json(item)
        if isinstance(item, dict):
            keys = (id_key,) if id_key else ID_KEYS
            found = next((item[k] for k in keys if item.get(k) not in (None, "")), None)
            if found is not None:
                ids.append(str(found))
        elif item not in (None, ""):
            ids.append(str(item))
    return ids


@dataclass(frozen=True)
class Declaration:
    """``evals/target.yaml``, checked."""

    kind: str
    url: str = ""
    method: str = "POST"
    request: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    function: str = ""
    path: tuple[str, ...] = ()
    answer: tuple[str | int, ...] = ()
    citations: tuple[str | int, ...] | None = None
    citation_id: str = ""
    timeout_s: float = 60.0
    source: str = str(TARGET_FILE)

    def describe(self) -> str:
        return f"{self.kind} {self.url or self.function}"


def load_declaration(root: Path = ROOT) -> Declaration | None:
    """The declared target, or None when the repository declares none."""
    path = root / TARGET_FILE
    if not path.is_file():
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{TARGET_FILE}: invalid YAML ({exc})") from None
    data = _mapping(data, str(TARGET_FILE))
    kind = _text(data.get("kind"), f"{TARGET_FILE}: kind")
    if kind not in KINDS:
        raise UsageError(f"{TARGET_FILE}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    section = _mapping(data.get(kind), f"{TARGET_FILE}: {kind}")
    where = f"{TARGET_FILE}: {kind}"
    citations = _text(section.get("citations"), f"{where}.citations")
    common: dict[str, Any] = {
        "kind": kind,
        "answer": tuple(parse_path(_text(section.get("answer"), f"{where}.answer"), where)),
        "citations": tuple(parse_path(citations, where)) if citations else None,
        "citation_id": _text(section.get("citation_id"), f"{where}.citation_id"),
        "timeout_s": float(section.get("timeout_s", 60.0)),
    }
    if kind == "http":
        url = os.environ.get("EVAL_TARGET_URL") or _text(section.get("url"), f"{where}.url")
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{where}.url must start with http:// or https:// (got {url!r})")
        request = section.get("request", {"question": "{question}"})
        if isinstance(request, str):
            try:
                request = json.loads(request)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{where}.request is not JSON ({exc.msg})") from None
        if "{question}" not in json.dumps(request):
            raise UsageError(f"{where}.request must contain {{question}} where the question goes")
        headers = {
            str(k): _expand_env(str(v), f"{where}.headers.{k}")
            for k, v in _mapping(section.get("headers"), f"{where}.headers").items()
        }
        method = _text(section.get("method"), f"{where}.method", "POST").upper()
        return Declaration(url=url, method=method, request=request, headers=headers, **common)
    function = _text(section.get("function"), f"{where}.function")
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", function):
        raise UsageError(f"{where}.function must be module:function (got {function!r})")
    paths = section.get("path") or []
    if isinstance(paths, str):
        paths = [paths]
    return Declaration(function=function, path=tuple(str(p) for p in paths), **common)


def _expand_env(value: str, where: str) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise UsageError(f"{where} names ${{{name}}}, which is not set")
        return os.environ[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, value)


def _fill(template: Any, question: str) -> Any:
    """The request body with the question in place of every ``{question}``."""
    if isinstance(template, str):
        return template.replace("{question}", question)
    if isinstance(template, list):
        return [_fill(v, question) for v in template]
    if isinstance(template, dict):
        return {k: _fill(v, question) for k, v in template.items()}
    return template


class DeclaredTarget:
    """The harness's target calls for an app declared in ``evals/target.yaml``.

    Only chat is declared (the ``rag_chat`` suite); the app's citations, in order, stand for
    its retrieval. Live answers are never cached.
    """

    cacheable = False
    can_retrieve = False

    def __init__(self, declaration: Declaration, root: Path = ROOT) -> None:
        self.declaration = declaration
        self.kind = f"declared-{declaration.kind}"
        self.root = root
        self._client: Any = None
        self._function: Any = None

    def identity(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.declaration.describe()}

    def producer(self, models: set[str] | None = None) -> Any:
        """Who produced the answers (read by harness versions that record a producer)."""
        from eval.producer import Producer  # type: ignore[import-not-found,unused-ignore]

        return Producer(
            provider="declared",
            chat_model=",".join(sorted(models or ())) or "unknown",
            embedding=None,
            target=self.kind,
        )

    def prompt_files(self) -> dict[str, dict[str, str]]:
        return {}  # the app's prompts are its own business

    async def prepare(self) -> None:
        if self.declaration.kind == "http":
            import httpx

            self._client = httpx.AsyncClient(
                timeout=self.declaration.timeout_s, headers=self.declaration.headers
            )
            return
        for entry in self.declaration.path:
            folder = str((self.root / entry).resolve())
            if folder not in sys.path:
                sys.path.insert(0, folder)
        module_name, _, name = self.declaration.function.partition(":")
        try:
            module = importlib.import_module(module_name)
            self._function = getattr(module, name)
        except Exception as exc:  # the app cannot be imported: the gate fails, with one line
            raise AppStartError(
                f"cannot load {self.declaration.function}: {type(exc).__name__}: {exc}"
            ) from exc

    async def _call(self, question: str) -> Any:
        if self.declaration.kind == "callable":
            result = self._function(question)
            return await result if inspect.isawaitable(result) else result
        assert self._client is not None, "prepare() first"
        response = await self._client.request(
            self.declaration.method,
            self.declaration.url,
            json=_fill(self.declaration.request, question),
        )
        response.raise_for_status()
        return response.json()

    async def chat(self, question: str) -> dict[str, Any]:
        raw = as_json(await self._call(question))
        where = f"{TARGET_FILE}: {self.declaration.kind}"
        try:
            answer = read_path(raw, list(self.declaration.answer))
        except LookupError:
            raise LookupError(f"{where}.answer: the response has no {self.declaration.answer}")
        cited: list[str] = []
        if self.declaration.citations is not None:
            try:
                value = read_path(raw, list(self.declaration.citations))
            except LookupError:
                value = None  # an answer without citations cites nothing
            cited = citation_ids(value, self.declaration.citation_id)
        return {
            "answer": answer if isinstance(answer, str) else json.dumps(as_json(answer)),
            "citations": [{"doc_id": doc_id, "title": doc_id} for doc_id in cited],
        }

    async def retrieve(self, query: str, top: int) -> list[dict[str, Any]]:
        raise NotImplementedError("a declared target is evaluated through its answers")

    async def summarize(self, text: str) -> dict[str, Any]:
        raise NotImplementedError("evals/target.yaml declares a chat app")

    async def classify(self, text: str) -> dict[str, Any]:
        raise NotImplementedError("evals/target.yaml declares a chat app")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def declared_target(root: Path, overrides: dict[str, Any]) -> DeclaredTarget | None:
    """The target of ``evals/target.yaml`` (the hook ``eval.cli`` calls), None without one."""
    declaration = load_declaration(root)
    if declaration is None:
        return None
    if overrides:
        raise UsageError("--variant sets the settings of a generated app; a declared app runs as is")
    return DeclaredTarget(declaration, root)


# ----- the golden set: the repository's own dataset, in the harness's schema ------------------
def read_rows(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL, JSON (a list, or a list under ``data``/``records``...) or CSV file."""
    if not path.is_file():
        raise UsageError(f"golden set not found: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    if path.suffix == ".json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = next((data[k] for k in ("data", "records", "items", "rows") if k in data), [])
        if not isinstance(data, list):
            raise UsageError(f"{path}: expected a list of records")
        return [r for r in data if isinstance(r, dict)]
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise UsageError(f"{path}:{number}: expected a JSON object")
        rows.append(row)
    return rows


def is_placeholder(value: Any) -> bool:
    if isinstance(value, list):
        return any(is_placeholder(v) for v in value)
    return isinstance(value, str) and bool(PLACEHOLDER.match(value))


def golden_rows(rows: list[dict[str, Any]], fields: dict[str, str]) -> list[dict[str, Any]]:
    """Rows in the harness's schema: ``fields`` maps its field names to the dataset's."""
    out = []
    for number, row in enumerate(rows, start=1):
        mapped: dict[str, Any] = {"id": str(row.get(fields.get("id", "id"), number))}
        for name in SCHEMA:
            source = fields.get(name, name)
            value = row.get(source) if source else None
            if name == "cited_doc_ids":
                value = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            mapped[name] = value
        out.append(mapped)
    return out


def prepare(gate: Path, root: Path = ROOT) -> int:
    """Check the declaration and write each suite's golden set (see the module docstring)."""
    from eval.config import read_yaml

    declaration = load_declaration(root)
    if declaration is None:
        raise UsageError(f"{TARGET_FILE} not found: it declares the app the gate evaluates")
    data = read_yaml(gate)
    failed = []
    for suite in data.get("suites") or ():
        section = _mapping(data.get(suite), f"{gate}: {suite}")
        if "source" not in section:
            continue
        source = root / _text(section.get("source"), f"{gate}: {suite}.source")
        fields = {str(k): str(v or "") for k, v in _mapping(section.get("fields"), "fields").items()}
        rows = golden_rows(read_rows(source), fields)
        missing = [
            f"{n}" for n in ("question", "reference_answer") if any(r[n] in (None, "") for r in rows)
        ]
        if missing:
            raise UsageError(
                f"{source}: some records have no {' or '.join(missing)} (fields in {gate}: "
                f"{fields or 'none mapped'})"
            )
        placeholders = [
            i for i, r in enumerate(rows, 1) if any(is_placeholder(r[n]) for n in SCHEMA)
        ]
        if placeholders:
            shown = ", ".join(str(i) for i in placeholders[:10])
            failed.append(
                f"{source.relative_to(root)}: {len(placeholders)} of {len(rows)} records are "
                f"still placeholders (records {shown}); write real questions of your users "
                "with the answers you expect (evals/genaiops.md)"
            )
            continue
        target = root / _text(section.get("dataset"), f"{gate}: {suite}.dataset")
        target.parent.mkdir(parents=True, exist_ok=True)
        ignore = target.parent / ".gitignore"  # scratch space: results, caches, this file
        if target.parent != root and not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        target.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"{suite}: {len(rows)} records from {source.relative_to(root)}")
    for line in failed:
        print(f"eval gate FAILED: {line}", file=sys.stderr)
    print(f"target: {declaration.describe()}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.adapter", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="check evals/target.yaml and write the golden sets")
    prep.add_argument("--thresholds", type=Path, default=Path("evals/gate.yaml"))
    args = parser.parse_args(argv)
    try:
        return prepare(args.thresholds if args.thresholds.is_absolute() else ROOT / args.thresholds)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
