"""Run the alert and workbook KQL (infra/monitoring/*.kql) over the local App Insights stand-in.

A small evaluator for exactly the KQL subset those files use, so a test can run the very text
the alert rules deploy over the rows the app's real exporter produced (deploy/appinsights_local.py
turns its envelopes into classic-table rows). It is a mirror of Kusto's semantics for that
subset, not Kusto: a query outside the subset is refused (``KqlError``) rather than guessed, and a
column no envelope fills is an error, which is the point of the check.

Subset: a table name, then ``| where``, ``| extend``, ``| summarize ... [by ...]`` (sum, sumif,
count, countif, avg, avgif, min, max, percentile; ``bin(timestamp, <span>)`` keys) and
``| project``; expressions with columns, ``customDimensions["key"]``, numbers, strings, timespans
(``5m``, ``1h``, ``1d``), comparisons, ``and``/``or``/``not()``, arithmetic and the functions
``toint``, ``tolong``, ``todouble``, ``isnotempty``, ``iff``, ``ago``. Comparisons with null are
false and arithmetic with null is null, as in Kusto.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

Row = dict[str, Any]

_SPAN = re.compile(r"(?<![\w.\"])(\d+)(ms|s|m|h|d)\b")
_DIMENSION = re.compile(r'customDimensions\["([^"]+)"\]')
_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(.+)$", re.DOTALL)
_AGG = re.compile(r"^(sum|sumif|count|countif|avg|avgif|min|max|percentile)\((.*)\)$", re.DOTALL)
_BIN = re.compile(r"^bin\(\s*timestamp\s*,\s*(\d+(?:ms|s|m|h|d))\s*\)$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


class KqlError(ValueError):
    """The query is outside the supported subset, or reads what the rows do not have."""


def span(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)", text.strip())
    if not match:
        raise KqlError(f"not a timespan: {text!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _null_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        return None if any(a is None for a in args) else function(*args)

    return wrapped


def _to_number(cast: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return cast(float(value)) if cast is int else cast(value)
        except (TypeError, ValueError):
            return None

    return convert


class _Scope(dict[str, Any]):
    """Names an expression may use: the row's columns, then the functions; anything else is a
    column no row has."""

    def __init__(self, row: Row, functions: Mapping[str, Any]) -> None:
        super().__init__(functions)
        self.row = row

    def __missing__(self, name: str) -> Any:
        if name in self.row:
            return self.row[name]
        raise KqlError(f"unknown column {name!r} (the rows have {sorted(self.row)})")


class Engine:
    """Evaluate queries over ``tables`` (name -> rows) at time ``now`` (for ``ago``)."""

    def __init__(self, tables: Mapping[str, list[Row]], now: datetime | None = None) -> None:
        self.tables = tables
        self.now = now or datetime.now(UTC)
        self.functions: dict[str, Any] = {
            "toint": _to_number(int),
            "tolong": _to_number(int),
            "todouble": _to_number(float),
            "isnotempty": lambda v: v not in (None, ""),
            "iff": lambda c, a, b: a if c else b,
            "ago": lambda d: self.now - d,
            "_not": lambda v: None if v is None else not v,
            "_span": span,
            "_dim": lambda row, key: (row.get("customDimensions") or {}).get(key),
            "_add": _null_safe(lambda a, b: a + b),
            "_sub": _null_safe(lambda a, b: a - b),
            "_mul": _null_safe(lambda a, b: a * b),
            "_div": _null_safe(_divide),
            "true": True,
            "false": False,
        }

    # -- expressions -------------------------------------------------------------------------

    def compile(self, text: str) -> Callable[[Row], Any]:
        """A KQL expression -> a function of one row."""
        source = _DIMENSION.sub(lambda m: f'_dim(_row, "{m.group(1)}")', text.strip())
        source = _SPAN.sub(lambda m: f'_span("{m.group(1)}{m.group(2)}")', source)
        source = re.sub(r"\bnot\(", "_not(", source)
        if re.search(r"[;{}\[\]]|\blambda\b|__", source):
            raise KqlError(f"unsupported expression: {text!r}")
        source = _arithmetic(source)
        try:
            code = compile(source, "<kql>", "eval")
        except SyntaxError as exc:
            raise KqlError(f"cannot read expression {text!r}: {exc.msg}") from None

        def evaluate(row: Row) -> Any:
            scope = _Scope(row, self.functions)
            scope["_row"] = row
            try:
                return eval(code, {"__builtins__": {}}, scope)  # noqa: S307 - checked subset
            except TypeError:  # a comparison with null: false in Kusto
                return None

        return evaluate

    # -- operators -----------------------------------------------------------------------------

    def run(self, kql: str) -> list[Row]:
        stages = _stages(kql)
        table = stages[0]
        if table not in self.tables:
            raise KqlError(f"unknown table {table!r} (the stand-in has {sorted(self.tables)})")
        rows = [dict(r) for r in self.tables[table]]
        for stage in stages[1:]:
            operator, _, rest = stage.partition(" ")
            if operator == "where":
                keep = self.compile(rest)
                rows = [r for r in rows if keep(r) is True]
            elif operator == "extend":
                for name, expression in _assignments(rest):
                    value = self.compile(expression)
                    for row in rows:
                        row[name] = value(row)
            elif operator == "project":
                names = [n.strip() for n in rest.split(",")]
                for name in names:
                    if rows and name not in rows[0]:
                        raise KqlError(f"project: unknown column {name!r}")
                rows = [{n: r.get(n) for n in names} for r in rows]
            elif operator == "summarize":
                rows = self._summarize(rows, rest)
            else:
                raise KqlError(f"unsupported operator {operator!r}")
        return rows

    def _summarize(self, rows: list[Row], text: str) -> list[Row]:
        aggregates_text, _, by_text = text.partition(" by ")
        keys: list[tuple[str, Callable[[Row], Any]]] = []
        for key in _split(by_text) if by_text.strip() else []:
            binned = _BIN.match(key.strip())
            if binned:
                width = span(binned.group(1)).total_seconds()
                keys.append(("timestamp", _binner(width)))
            elif re.fullmatch(r"[A-Za-z_]\w*", key.strip()):
                name = key.strip()
                keys.append((name, self.compile(name)))
            else:
                raise KqlError(f"unsupported summarize key {key!r}")
        aggregates = []
        for name, expression in _assignments(aggregates_text):
            match = _AGG.match(expression.strip())
            if not match:
                raise KqlError(f"unsupported aggregation {expression!r}")
            args = [self.compile(a) for a in _split(match.group(2))] if match.group(2) else []
            aggregates.append((name, match.group(1), args))
        groups: dict[tuple[Any, ...], list[Row]] = {}
        for row in rows:
            groups.setdefault(tuple(k(row) for _, k in keys), []).append(row)
        if not keys and not groups:
            groups[()] = []  # a summarize without `by` always yields one row
        result = []
        for values, members in groups.items():
            out: Row = {name: value for (name, _), value in zip(keys, values, strict=True)}
            for name, function, args in aggregates:
                out[name] = _aggregate(function, args, members)
            result.append(out)
        return result


def _aggregate(function: str, args: list[Callable[[Row], Any]], rows: list[Row]) -> Any:
    def values(condition: Callable[[Row], Any] | None = None) -> list[Any]:
        chosen = [r for r in rows if condition is None or condition(r) is True]
        found = [args[0](r) for r in chosen]
        return [v for v in found if v is not None]

    if function == "count":
        return len(rows)
    if function == "countif":
        return sum(1 for r in rows if args[0](r) is True)
    if function in ("sum", "sumif"):
        return sum(values(args[1] if function == "sumif" else None))
    if function in ("avg", "avgif"):
        found = values(args[1] if function == "avgif" else None)
        return sum(found) / len(found) if found else None
    if function in ("min", "max"):
        found = values()
        return (min if function == "min" else max)(found) if found else None
    found = sorted(values())  # percentile(x, p): nearest rank
    rank = float(args[1]({}))
    return found[max(0, math.ceil(rank / 100 * len(found)) - 1)] if found else None


def _binner(seconds: float) -> Callable[[Row], Any]:
    def key(row: Row) -> Any:
        return _floor(row["timestamp"], seconds)

    return key


def _divide(a: Any, b: Any) -> Any:
    """Kusto: long / long is a long (truncated toward zero), otherwise a real; / 0 is null here."""
    if not b:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return int(a / b)
    return a / b


def _floor(value: datetime, seconds: float) -> datetime:
    epoch = value.timestamp()
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def _arithmetic(source: str) -> str:
    """Null-safe + - * / : rewrite binary operators at the top level of each operand."""
    tokens = re.split(r"(\s[+\-*/]\s)", source)
    if len(tokens) == 1:
        return source
    names = {" + ": "_add", " - ": "_sub", " * ": "_mul", " / ": "_div"}
    expression = tokens[0]
    for operator, operand in zip(tokens[1::2], tokens[2::2], strict=True):
        if _depth_changes(expression) or _depth_changes(operand):
            raise KqlError(f"unsupported arithmetic inside a call: {source!r}")
        expression = f"{names[operator]}({expression}, {operand})"
    return expression


def _depth_changes(text: str) -> bool:
    return text.count("(") != text.count(")")


def _split(text: str) -> list[str]:
    """Split on top-level commas."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "([" and 1 or 0
        depth -= char in ")]" and 1 or 0
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts]


def _assignments(text: str) -> Iterable[tuple[str, str]]:
    for part in _split(text):
        match = _ASSIGN.match(part)
        if not match:
            raise KqlError(f"expected name = expression, got {part!r}")
        yield match.group(1), match.group(2)


def _stages(kql: str) -> list[str]:
    lines = [line.split("//", 1)[0].rstrip() for line in kql.splitlines()]
    text = " ".join(line.strip() for line in lines if line.strip())
    if "let " in text or " join " in text:
        raise KqlError("let and join are outside the subset")
    stages = [s.strip() for s in text.split("|")]
    if not stages or not re.fullmatch(r"[A-Za-z_]\w*", stages[0]):
        raise KqlError("a query starts with a table name")
    return stages


def run(kql: str, tables: Mapping[str, list[Row]], now: datetime | None = None) -> list[Row]:
    return Engine(tables, now).run(kql)


def tables_of(store: Any, names: Iterable[str]) -> dict[str, list[Row]]:
    """The stand-in's rows (deploy/appinsights_local.Store) for the given classic tables."""
    return {name: store.rows(name) for name in names}
