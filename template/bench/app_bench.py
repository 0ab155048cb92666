"""Benchmark of the offline app; prints figures, asserts nothing.

1. ingestion throughput (load → chunk → embed → persist), on a synthetic corpus of ~10,000 chunks
   made from the sample documents' sentences (seeded, reproducible);
2. hybrid retrieval latency p50/p99 over that 10,000-chunk index (query embedding included);
3. POST /chat on a real server on localhost (``python -m <pkg> serve``, several workers) at 1 and
   50 concurrent clients: p50/p95/p99 and throughput, (a) with the offline answerer and (b) with a
   local OpenAI-compatible stub that answers after 200 ms (bench/openai_stub.py: what a real model
   looks like to the app); plus the in-process orchestrator, so the HTTP overhead is visible. The
   load client runs on the same cores as the server.

    uv run python bench/app_bench.py [--chunks 10000] [--requests 1000] [--workers N] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _app import ROOT, module, package_name


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def figures(label: str, ms: list[float]) -> str:
    mean = statistics.fmean(ms)
    spread = f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms"
    return f"{label}: {spread}, mean {mean:.1f} ms (n={len(ms)})"


def synthetic_corpus(target: Path, chunks: int, seed: int = 7) -> None:
    """~``chunks`` chunks: documents of 25 sections, each section a paragraph of sample sentences."""
    textutil = module("textutil")
    sentences = []
    for path in sorted((ROOT / "data" / "docs").rglob("*.md")):
        sentences += [
            s for s in textutil.sentences(path.read_text(encoding="utf-8")) if len(s) > 40
        ]
    rng = random.Random(seed)
    sections_per_doc = 25
    for d in range(max(1, chunks // sections_per_doc)):
        body = [f"# Synthetic document {d}"]
        for s in range(sections_per_doc):
            body.append(f"## Section {s} of {d}\n\n" + " ".join(rng.sample(sentences, 4)))
        folder = target / f"group{d % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc{d:05d}.md").write_text("\n\n".join(body) + "\n", encoding="utf-8")


def bench_ingest_and_retrieval(chunks: int) -> None:
    settings_mod, orch_mod = module("settings"), module("orchestrator")
    queries = [
        json.loads(line)["query"]
        for line in (ROOT / "bench" / "retrieval_queries.jsonl").read_text().splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        synthetic_corpus(docs, chunks)
        settings = settings_mod.Settings(
            _env_file=None,
            docs_path=docs,
            index_path=Path(tmp) / "index.sqlite",
            feedback_path=Path(tmp) / "feedback.sqlite",
            telemetry_exporter="none",
            prompts_path=ROOT / "prompts",
        )
        orch = orch_mod.Orchestrator.from_settings(settings)
        report = asyncio.run(orch.ingest())
        print(
            f"ingestion: {report.chunks_written} chunks from {len(report.added)} documents in "
            f"{report.seconds:.1f} s = {report.chunks_written / report.seconds:.0f} chunks/s"
        )
        again = asyncio.run(orch.ingest())
        print(f"re-ingestion with nothing changed: {again.seconds:.2f} s")

        async def searches() -> list[float]:
            await orch.retrieve(queries[0], 5)  # warm the vector matrix cache
            ms = []
            for i in range(400):
                started = time.perf_counter()
                await orch.retrieve(queries[i % len(queries)], 5)
                ms.append((time.perf_counter() - started) * 1000)
            return ms

        print(
            figures(
                f"hybrid retrieval over {orch.store.count_chunks()} chunks (top 5)",
                asyncio.run(searches()),
            )
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def load(
    base: str, requests: int, concurrency: int, question: str
) -> tuple[list[float], float]:
    """``requests`` POST /chat from ``concurrency`` clients on keep-alive connections:
    (latencies in ms, throughput in requests/s). aiohttp: a light client, since it shares the
    cores with the server."""
    import aiohttp

    ms: list[float] = []
    remaining = [requests]
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:

        async def worker() -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                started = time.perf_counter()
                async with client.post("/chat", json={"question": question}) as response:
                    response.raise_for_status()
                    await response.read()
                ms.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return ms, len(ms) / elapsed


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", package_name(), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(300):
        try:
            if httpx.get(base + "/ready", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not become ready")


def start_stub(latency_ms: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "openai_stub.py"),
            "--port",
            str(port),
            "--latency-ms",
            str(latency_ms),
        ],
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the stub did not start")


def bench_api(requests: int, workers: int, latency_ms: float) -> None:
    question = "How many days do customers have to return an item?"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "APP_INDEX_PATH": f"{tmp}/index.sqlite",
            "APP_FEEDBACK_PATH": f"{tmp}/store/app.sqlite",
            "APP_TELEMETRY_EXPORTER": "none",
        }
        subprocess.run(
            [sys.executable, "-m", package_name(), "ingest"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        settings = module("settings").Settings(
            _env_file=None,
            index_path=Path(tmp) / "index.sqlite",
            feedback_path=Path(tmp) / "store2" / "app.sqlite",
            telemetry_exporter="none",
        )
        orch = module("orchestrator").Orchestrator.from_settings(settings)

        async def direct() -> list[float]:
            ms = []
            for _ in range(200):
                started = time.perf_counter()
                await orch.chat(question)
                ms.append((time.perf_counter() - started) * 1000)
            return ms

        print(figures("orchestrator.chat in process (local model)", asyncio.run(direct())))
        stub, stub_url = start_stub(latency_ms)
        remote = {
            **env,
            "APP_PROVIDER": "openai_compatible",
            "APP_OPENAI_BASE_URL": stub_url,
            "APP_EMBEDDING_PROVIDER": "local",
        }
        try:
            for label, server_env in (
                ("offline answerer", env),
                (f"{latency_ms:.0f} ms stub", remote),
            ):
                proc, base = serve(server_env, workers)
                try:
                    asyncio.run(load(base, 50, 10, question))  # warm-up: connections, caches
                    for clients, count in ((1, min(200, requests)), (50, requests)):
                        ms, rate = asyncio.run(load(base, count, clients, question))
                        print(
                            figures(
                                f"POST /chat, {label}, {workers} workers, {clients} client(s)", ms
                            )
                            + f", {rate:.0f} req/s"
                        )
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        finally:
            stub.terminate()
            stub.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="default: WEB_CONCURRENCY/CPUs")
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--skip-ingest", action="store_true", help="only the API figures")
    args = parser.parse_args()
    workers = args.workers or module("serving").workers()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), {workers} server workers")
    if not args.skip_ingest:
        bench_ingest_and_retrieval(args.chunks)
    bench_api(args.requests, workers, args.latency_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
