"""A local OpenAI-compatible chat-completions server for tests and benchmarks.

Speaks the real wire format (POST /v1/chat/completions -> ``choices[0].message.content`` and
``usage``), with a configurable latency and reply, so the judge path, caching and token
accounting can be exercised with no key and no network. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Reply = Callable[[dict[str, Any]], tuple[int, str]]


def judge_or_answer(body: dict[str, Any]) -> tuple[int, str]:
    """A judge verdict for rubric prompts, else an answer citing the first offered passage."""
    prompt = str(body.get("messages", [{}])[-1].get("content", ""))
    if "Reply with a JSON object only" in prompt:
        return 200, json.dumps({"reason": "addresses the question", "score": 4})
    start = prompt.find("[source: ")
    cite = prompt[start + 9 : prompt.find("]", start)] if start >= 0 else "none#0"
    return 200, f"The answer is in the policy [{cite}]."


def fixed_score(score: int = 4) -> Reply:
    """Every request gets HTTP 200 and a verdict with ``score``."""
    content = json.dumps({"reason": "stub verdict", "score": score})
    return lambda _request: (200, content)


@dataclass
class StubModel:
    """What the server saw: every request body, in arrival order."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    max_in_flight: int = 0


@contextmanager
def serve(
    reply: Reply | None = None, latency_s: float = 0.0, model: str = "stub-judge", port: int = 0
) -> Iterator[StubModel]:
    """Run the server on a loopback port (free one by default) for the ``with`` block.

    Any path ending in ``/chat/completions`` is served, query string ignored: the OpenAI route
    (``/v1/...``), Azure OpenAI's v1 route (``/openai/v1/...``) and its deployment route
    (``/openai/deployments/<name>/chat/completions?api-version=...``).
    """
    reply = reply or fixed_score()
    lock = threading.Lock()
    in_flight = 0
    stub = StubModel(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            data = b'{"status": "ok"}' if self.path == "/health" else b'{"error": "not found"}'
            self.send_response(200 if self.path == "/health" else 404)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            nonlocal in_flight
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            with lock:
                stub.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, in_flight)
            try:
                time.sleep(latency_s)
                route = urlsplit(self.path).path
                status, content = (
                    reply(body) if route.endswith("/chat/completions") else (404, "not found")
                )
            finally:
                with lock:
                    in_flight -= 1
            prompt_tokens = sum(
                len(str(m.get("content", "")).split()) for m in body.get("messages", [])
            )
            completion_tokens = len(content.split())
            payload = (
                {
                    "id": f"chatcmpl-{len(stub.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", model),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": content},
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion_tokens,
                        "total_tokens": prompt_tokens + completion_tokens,
                    },
                }
                if status == 200
                else {"error": {"message": content, "code": status}}
            )
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """``python -m eval.stub_model --latency-ms 200``: serve in its own process until killed.

    Prints the base URL on the first line of stdout once it is listening.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="local OpenAI-compatible stub model")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    with serve(judge_or_answer, args.latency_ms / 1000) as stub:
        print(stub.base_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
