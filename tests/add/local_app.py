"""A small local chat app for the eval tests: stdlib HTTP, answers from a table.

``POST /chat`` takes ``{"messages": [{"role": "user", "content": QUESTION}]}`` (or
``{"question": QUESTION}``) and answers ``{"message": {"content": ...}, "context":
{"data_points": {doc_id: {...}}}}``, the shape of a real RAG sample's API.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serve(table: Mapping[str, tuple[str, list[str]]]) -> Iterator[str]:
    """Serve ``question -> (answer, cited ids)`` on a free port; yields the /chat URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            question = body.get("question") or body.get("messages", [{}])[-1].get("content", "")
            answer, docs = table.get(question, ("I do not know that.", []))
            payload = {
                "message": {"role": "assistant", "content": answer},
                "context": {"data_points": {d: {"id": d, "title": d} for d in docs}},
            }
            data = json.dumps(payload).encode()
            self.send_response(200 if self.path == "/chat" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/chat"
    finally:
        server.shutdown()
        server.server_close()
