"""A local OpenAI-compatible chat server that answers after a fixed latency: what a real model
looks like to the app (time spent waiting, not computing). HTTP/1.1 keep-alive on plain asyncio
streams, so the stub itself costs almost no CPU.

    python bench/openai_stub.py --port 9000 --latency-ms 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re

ANSWER = "Customers may return most items within 45 days of delivery. [{cited}]"


def reply(body: dict, stream: bool) -> bytes:
    user = [m["content"] for m in body.get("messages", []) if m.get("role") == "user"]
    text = user[-1] if user and isinstance(user[-1], str) else ""
    cited = (re.findall(r"\[source: ([^\]]+)\]", text) or ["none#0"])[0]
    answer = ANSWER.format(cited=cited)
    usage = {"prompt_tokens": len(text) // 4, "completion_tokens": 20, "total_tokens": 0}
    usage["total_tokens"] = usage["prompt_tokens"] + 20
    base = {"id": "stub", "created": 0, "model": body.get("model", "stub")}
    if not stream:
        message = {"role": "assistant", "content": answer}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        return json.dumps(
            {**base, "object": "chat.completion", "choices": [choice], "usage": usage}
        ).encode()
    events = []
    for piece in re.findall(r"\S+\s*", answer):
        delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
        events.append({**base, "object": "chat.completion.chunk", "choices": [delta]})
    events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


async def handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = dict(
                line.split(":", 1)
                for line in head.decode("latin-1").split("\r\n")[1:]
                if ":" in line
            )
            length = int(
                next((v for k, v in headers.items() if k.lower() == "content-length"), "0")
            )
            body = json.loads(await reader.readexactly(length) or b"{}")
            await asyncio.sleep(latency)
            stream = bool(body.get("stream"))
            payload = reply(body, stream)
            kind = "text/event-stream" if stream else "application/json"
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(payload)}\r\n"
                "Connection: keep-alive\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(port: int, latency_ms: float, ready: asyncio.Event | None = None) -> None:
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, latency_ms / 1000), "127.0.0.1", port, backlog=1024
    )
    async with server:
        if ready is not None:
            ready.set()
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--latency-ms", type=float, default=200)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.latency_ms))


if __name__ == "__main__":
    main()
