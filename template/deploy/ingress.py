"""A local stand-in for the Container Apps ingress: a weighted HTTP proxy over revisions.

Used to rehearse a canary on one machine (two revisions of the app on localhost, one made
faulty by configuration) and by the tests. Weights are split per request like ACA does in
multiple-revision mode, by smooth weighted round robin so a 10 % step gets exactly 10 %.
Every proxied request is logged (time, revision, status, duration) so the same numbers App
Insights would hold can be computed. Loopback only; admin API under /_ingress/.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ADMIN = "/_ingress/"
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
}


@dataclass(frozen=True)
class Hit:
    t: float
    revision: str
    status: int
    ms: float


class Router:
    """Revisions (name → base URL), weights and the request log; thread-safe."""

    def __init__(self, backends: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self.backends: dict[str, str] = dict(backends or {})
        self.weights: dict[str, int] = {}
        self._current: dict[str, int] = {}
        self.log: list[Hit] = []

    def set_weights(self, weights: Mapping[str, int]) -> None:
        unknown = set(weights) - set(self.backends)
        if unknown or sum(weights.values()) != 100 or any(w < 0 for w in weights.values()):
            raise ValueError(f"bad weights {dict(weights)} (revisions: {sorted(self.backends)})")
        with self._lock:
            self.weights = {k: v for k, v in weights.items() if v > 0}
            self._current = dict.fromkeys(self.weights, 0)

    def add_backend(self, revision: str, url: str) -> None:
        with self._lock:
            self.backends[revision] = url.rstrip("/")

    def pick(self) -> str:
        """Smooth weighted round robin (as nginx does): exact shares, evenly interleaved."""
        with self._lock:
            if not self.weights:
                raise LookupError("no revision has traffic")
            total = sum(self.weights.values())
            for name, weight in self.weights.items():
                self._current[name] += weight
            chosen = max(self._current, key=lambda n: self._current[n])
            self._current[chosen] -= total
            return chosen

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)

    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self.log)


class _Handler(BaseHTTPRequestHandler):
    router: Router
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _admin(self, method: str) -> None:
        name = self.path[len(ADMIN) :].split("?")[0]
        length = int(self.headers.get("content-length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}") if length else {}
        try:
            if name == "traffic" and method == "PUT":
                self.router.set_weights({str(k): int(v) for k, v in payload.items()})
            elif name == "backends" and method == "PUT":
                for revision, url in payload.items():
                    self.router.add_backend(str(revision), str(url))
            elif name == "log" and method == "GET":
                hits = [h.__dict__ for h in self.router.hits()]
                self._send(200, json.dumps(hits).encode())
                return
            elif not (name in ("traffic", "backends") and method == "GET"):
                self._send(404, b'{"detail":"unknown admin call"}')
                return
            state = {"weights": self.router.weights, "backends": self.router.backends}
            self._send(200, json.dumps(state).encode())
        except (ValueError, TypeError) as exc:
            self._send(400, json.dumps({"detail": str(exc)}).encode())

    def _proxy(self, method: str) -> None:
        if self.path.startswith(ADMIN):
            self._admin(method)
            return
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        try:
            revision = self.router.pick()
        except LookupError:
            self._send(503, b'{"detail":"no revision has traffic"}')
            return
        target = urllib.parse.urlsplit(self.router.backends[revision])
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        started = time.monotonic()
        connection = http.client.HTTPConnection(target.netloc, timeout=30)
        try:
            connection.request(method, self.path, body=body, headers=headers)
            response = connection.getresponse()
            data, status = response.read(), response.status
            content_type = response.getheader("content-type", "application/octet-stream")
        except OSError:
            data, status, content_type = (
                b'{"detail":"revision unreachable"}',
                502,
                "application/json",
            )
        finally:
            connection.close()
        self.router.record(Hit(time.time(), revision, status, (time.monotonic() - started) * 1000))
        self._send(status, data, content_type)

    def do_GET(self) -> None:
        self._proxy("GET")

    def do_POST(self) -> None:
        self._proxy("POST")

    def do_PUT(self) -> None:
        self._proxy("PUT")


@contextmanager
def serve(router: Router, port: int = 0) -> Iterator[str]:
    """Run the ingress on 127.0.0.1 in a background thread; yield its base URL."""
    handler = type("Handler", (_Handler,), {"router": router})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """``python -m deploy.ingress PORT rev-a=http://127.0.0.1:8001 rev-b=...``: serve until ^C."""
    import sys

    port, *pairs = sys.argv[1:]
    router = Router(dict(pair.split("=", 1) for pair in pairs))
    router.set_weights({next(iter(router.backends)): 100})
    with serve(router, int(port)) as url:
        print(f"ingress on {url}; admin: {url}{ADMIN}traffic", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
