"""A localhost HTTP server speaking the OpenAI (and Azure OpenAI) chat-completions and embeddings
wire format, streaming included, so the real Semantic Kernel connectors can be tested end to end
without a cloud."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

DIMENSIONS = 64


def fake_vector(text: str) -> list[float]:
    """Deterministic bag-of-words vectors, so retrieval through the fake still finds things."""
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0  # noqa: S324
    norm = float(np.linalg.norm(vector)) or 1.0
    return [float(x) for x in vector / norm]


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.answer: str | None = None  # a fixed reply instead of the default one
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if fake.fail_next:
                    fake.fail_next -= 1
                    return self._send(500, {"error": {"message": "boom", "type": "server_error"}})
                if self.path.split("?")[0].endswith("/chat/completions"):
                    if body.get("stream"):
                        return self._stream(fake.chat_chunks(body))
                    return self._send(200, fake.chat(body))
                if self.path.split("?")[0].endswith("/embeddings"):
                    return self._send(200, fake.embeddings(body))
                self._send(404, {"error": {"message": "not found"}})

            def _stream(self, chunks: list[dict[str, Any]]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
        if isinstance(user, list):
            user = " ".join(part.get("text", "") for part in user)
        cited = re.findall(r"\[source: ([^\]]+)\]", user)
        answer = self.answer or (
            f"From the remote model. [{cited[0]}]" if cited else "Summary from the remote model."
        )
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "deployment"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": answer},
                }
            ],
            "usage": {"prompt_tokens": 111, "completion_tokens": 22, "total_tokens": 133},
        }

    def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(inputs):
            vector = fake_vector(str(text))
            if body.get("encoding_format") == "base64":
                encoded: Any = base64.b64encode(
                    np.array(vector, dtype=np.float32).tobytes()
                ).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        return {
            "object": "list",
            "data": data,
            "model": body.get("model", "deployment"),
            "usage": {"prompt_tokens": 5, "total_tokens": 5},
        }

    def chat_chunks(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The reply as streamed chunks: a few words each, then the usage chunk."""
        reply = self.chat(body)
        text = reply["choices"][0]["message"]["content"]
        words = re.findall(r"\S+\s*", text)
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0}
        base["model"] = reply["model"]
        chunks = [
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": "".join(words[i : i + 3])},
                        "finish_reason": None,
                    }
                ],
            }
            for i in range(0, len(words), 3)
        ]
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        chunks.append({**base, "choices": [], "usage": reply["usage"]})
        return chunks
