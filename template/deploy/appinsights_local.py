"""A local stand-in for Application Insights: ingestion, the tables, and the gate's queries.

It receives what the real ``azure-monitor-opentelemetry-exporter`` sends (point a connection
string's ``IngestionEndpoint`` at it), keeps the envelopes, and turns them into the rows of the
classic tables the queries in :mod:`deploy.queries` read, the way Application Insights does:

=================  ================  =======================================================
envelope           table             columns used by the queries (from)
=================  ================  =======================================================
RequestData        ``requests``      ``timestamp`` (time), ``name``, ``success``,
                                     ``duration`` (ms), ``resultCode`` (responseCode),
                                     ``customDimensions`` (properties),
                                     ``itemCount`` (100 / sampleRate)
RemoteDependency-  ``dependencies``  ``name``, ``duration``, ``success``, ``type``,
Data                                 ``customDimensions``
EventData          ``customEvents``  ``name``, ``customDimensions`` (properties),
                                     ``customMeasurements`` (measurements)
every envelope     (all tables)      ``application_Version`` (tag ``ai.application.ver``),
                                     ``cloud_RoleName`` (``ai.cloud.role``), ``operation_Id``
                                     (``ai.operation.id``), ``operation_ParentId``
=================  ================  =======================================================

Sources: the exporter's own conversion code (``export/trace/_exporter.py`` makes RequestData of
SERVER and CONSUMER spans and RemoteDependencyData of the others; ``export/logs/_exporter.py``
makes EventData of log records with ``microsoft.custom_event.name``; ``_utils.py`` puts
``service.version`` in ``ai.application.ver``) and the Azure Monitor table references
(learn.microsoft.com/azure/azure-monitor/reference/tables/apprequests, ``appevents``; the classic
names in "Migrate to workspace-based Application Insights resources", which lists
``application_Version`` -> ``AppVersion``, ``customDimensions`` -> ``Properties``, ``duration``
-> ``DurationMs``).

``POST /_query`` with a KQL body answers the canary gate's and the monitor's queries (recognised
by their ``let`` statements, computed over the rows above) in the JSON shape of
``az monitor app-insights query -o json``. Loopback only; for tests and rehearsals.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from deploy.queries import EVALUATION_EVENT, EVALUATION_SCORE

TABLES = {
    "RequestData": "requests",
    "RemoteDependencyData": "dependencies",
    "EventData": "customEvents",
    "MessageData": "traces",
    "ExceptionData": "exceptions",
    "MetricData": "customMetrics",
}
TAG_COLUMNS = {
    "ai.application.ver": "application_Version",
    "ai.cloud.role": "cloud_RoleName",
    "ai.cloud.roleInstance": "cloud_RoleInstance",
    "ai.operation.id": "operation_Id",
    "ai.operation.parentId": "operation_ParentId",
    "ai.operation.name": "operation_Name",
    "ai.operation.syntheticSource": "operation_SyntheticSource",
}
_DURATION = re.compile(r"^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$")


def duration_ms(value: str) -> float:
    """Envelope durations are ``[d.]hh:mm:ss.ffffff``; the tables hold milliseconds."""
    match = _DURATION.match(value or "")
    if not match:
        raise ValueError(f"not an Application Insights duration: {value!r}")
    days, hours, minutes, seconds = match.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return total * 1000.0


def timestamp(value: str) -> datetime:
    text = value.rstrip("Z")
    head, _, fraction = text.partition(".")
    parsed = datetime.fromisoformat(head + ("." + fraction[:6] if fraction else ""))
    return parsed.replace(tzinfo=UTC)


def to_row(envelope: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The table and row an envelope becomes (None for kinds no query reads)."""
    data = envelope.get("data") or {}
    kind = data.get("baseType")
    table = TABLES.get(kind or "")
    if table is None:
        return None
    base = data.get("baseData") or {}
    rate = float(envelope.get("sampleRate") or 100.0)
    row: dict[str, Any] = {
        "timestamp": timestamp(envelope["time"]),
        "itemType": table,
        "itemCount": max(1, round(100.0 / rate)),  # sampled rows stand for 100/rate items
        "customDimensions": dict(base.get("properties") or {}),
        "customMeasurements": dict(base.get("measurements") or {}),
    }
    tags = envelope.get("tags") or {}
    row.update({column: tags.get(tag) for tag, column in TAG_COLUMNS.items()})
    if kind in ("RequestData", "RemoteDependencyData"):
        row.update(
            name=base.get("name"),
            success=bool(base.get("success")),
            duration=duration_ms(base.get("duration", "")),
            id=base.get("id"),
        )
    if kind == "RequestData":
        row.update(resultCode=base.get("responseCode"), url=base.get("url"))
    elif kind == "RemoteDependencyData":
        row.update(resultCode=base.get("resultCode"), type=base.get("type"))
    elif kind == "EventData":
        row["name"] = base.get("name")
    elif kind == "MessageData":
        row.update(message=base.get("message"), severityLevel=base.get("severityLevel"))
    return table, row


@dataclass
class Store:
    """Envelopes as received, thread-safe; rows are derived on demand."""

    envelopes: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, items: list[dict[str, Any]]) -> None:
        with self._lock:
            self.envelopes.extend(items)
            self.posts += 1

    def rows(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self.envelopes)
        out = []
        for envelope in items:
            mapped = to_row(envelope)
            if mapped is not None and mapped[0] == table:
                out.append(mapped[1])
        return out


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _table(columns: list[tuple[str, str]], rows: list[list[Any]]) -> dict[str, Any]:
    return {
        "tables": [
            {
                "name": "PrimaryResult",
                "columns": [{"name": n, "type": t} for n, t in columns],
                "rows": rows,
            }
        ]
    }


def _let(kql: str, pattern: str) -> str:
    match = re.search(pattern, kql)
    if not match:
        raise ValueError(f"query lacks {pattern!r}: not a query this stand-in knows")
    return match.group(1)


def gate_answer(store: Store, kql: str, now: datetime) -> dict[str, Any]:
    """The canary gate's query (:func:`deploy.queries.gate_query`) over the stored rows."""
    stable = _let(kql, r'let stable_rev = "([^"]+)";')
    canary = _let(kql, r'let canary_rev = "([^"]+)";')
    since = timestamp(_let(kql, r"let canary_since = datetime\(([^)]+)\);"))
    ago = int(_let(kql, r"let stable_since = ago\((\d+)m\);"))
    windows = {stable: now - timedelta(minutes=ago), canary: since}

    def mine(row: dict[str, Any], revision: str) -> bool:
        return row["application_Version"] == revision and row["timestamp"] >= windows[revision]

    rows = []
    for revision in (stable, canary):
        requests = [r for r in store.rows("requests") if mine(r, revision)]
        if not requests:  # the query starts from requests: no request row, no result row
            continue
        scores = [
            float(e["customDimensions"][EVALUATION_SCORE])
            for e in store.rows("customEvents")
            if e["name"] == EVALUATION_EVENT and mine(e, revision)
        ]
        rows.append(
            [
                revision,
                sum(r["itemCount"] for r in requests),
                sum(r["itemCount"] for r in requests if r["success"] is False),
                _p95([r["duration"] for r in requests]),
                _mean(scores),
            ]
        )
    columns = [
        ("revision", "string"),
        ("requests", "long"),
        ("failures", "long"),
        ("p95_ms", "real"),
        ("eval_score", "real"),
    ]
    return _table(columns, rows)


def monitor_answer(store: Store, kql: str, now: datetime) -> dict[str, Any]:
    """The monitor's query (:func:`deploy.queries.monitor_query`) over the stored rows."""
    hours = int(_let(kql, r"let current_start = ago\((\d+)h\);"))
    days = int(_let(kql, r"let baseline_start = ago\(\d+h \+ (\d+)d\);"))
    event = _let(kql, r'let feedback = customEvents[^\n]*\n\| where name == "([^"]+)"')
    positive = float(_let(kql, r'customDimensions\["rating"\]\) >= ([\d.]+)'))
    current_start = now - timedelta(hours=hours)
    baseline_start = current_start - timedelta(days=days)

    def period(row: dict[str, Any]) -> str | None:
        t = row["timestamp"]
        return None if t < baseline_start else "current" if t >= current_start else "baseline"

    rows = []
    for name in ("current", "baseline"):
        requests = [r for r in store.rows("requests") if period(r) == name]
        if not requests:
            continue
        events = [e for e in store.rows("customEvents") if period(e) == name]
        scores = [
            float(e["customDimensions"][EVALUATION_SCORE])
            for e in events
            if e["name"] == EVALUATION_EVENT
        ]
        ratings = [
            1.0 if float(e["customDimensions"]["rating"]) >= positive else 0.0
            for e in events
            if e["name"] == event
        ]
        rows.append(
            [
                name,
                sum(r["itemCount"] for r in requests),
                sum(r["itemCount"] for r in requests if r["success"] is False),
                _p95([r["duration"] for r in requests]),
                _mean(scores),
                _mean(ratings),
            ]
        )
    columns = [
        ("period", "string"),
        ("requests", "long"),
        ("failures", "long"),
        ("p95_ms", "real"),
        ("eval_score", "real"),
        ("positive_rate", "real"),
    ]
    return _table(columns, rows)


def answer(store: Store, kql: str, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return monitor_answer(store, kql, now) if "period_of" in kql else gate_answer(store, kql, now)


def _decode(body: bytes, encoding: str) -> list[dict[str, Any]]:
    if encoding == "gzip" or body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    text = body.decode("utf-8").strip()
    if not text:
        return []
    if text.startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class _Handler(BaseHTTPRequestHandler):
    store: Store

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, default=str).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        path = self.path.split("?")[0]
        if path.endswith("/track"):
            items = _decode(body, self.headers.get("content-encoding", ""))
            self.store.add(items)
            self._send(
                200, {"itemsReceived": len(items), "itemsAccepted": len(items), "errors": []}
            )
        elif path == "/_query":
            try:
                self._send(200, answer(self.store, body.decode("utf-8")))
            except ValueError as exc:
                self._send(400, {"error": {"message": str(exc)}})
        elif "QuickPulseService" in path:  # live metrics: say nobody is watching
            self._send(200, {}, {"x-ms-qps-subscribed": "false"})
        else:
            self._send(404, {"error": "unknown path"})

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/_envelopes":
            with self.store._lock:
                self._send(200, list(self.store.envelopes))
        elif path == "/health":
            self._send(200, {"status": "ok", "envelopes": len(self.store.envelopes)})
        else:
            self._send(404, {"error": "unknown path"})


@contextmanager
def serve(store: Store | None = None, port: int = 0) -> Iterator[tuple[str, Store]]:
    """Run the stand-in on 127.0.0.1; yield (base URL, store)."""
    store = store or Store()
    handler = type("Handler", (_Handler,), {"store": store})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", store
    finally:
        server.shutdown()
        server.server_close()


def connection_string(base_url: str) -> str:
    """What an app exports to, to reach the stand-in (the key is not checked)."""
    return (
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
        f"IngestionEndpoint={base_url}/;LiveEndpoint={base_url}/"
    )


def main() -> None:
    """``python -m deploy.appinsights_local PORT``: serve until interrupted."""
    import sys
    import time

    with serve(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as (url, _store):
        print(f"{url} {connection_string(url)}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
