"""Eval throughput: 100 items against a model endpoint with 200 ms latency, sequential vs the
default concurrency.

The model endpoint is a local OpenAI-compatible stub (127.0.0.1, fixed latency). ``--mode judge``
(default): the offline app answers (served from the response cache, warmed before timing, so the
timed part is what talks to the model) and every item gets one real HTTP judge call.
``--mode app``: the app's own ``openai_compatible`` provider calls the stub for every answer.
Retrieval, scoring and the gate are the real ones. Prints figures; asserts nothing.
Usage: uv run python bench/eval_bench.py [--mode app]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.cache import ResponseCache  # noqa: E402
from eval.config import load_config  # noqa: E402
from eval.evaluate import Comparison, evaluate  # noqa: E402
from eval.targets import InProcessTarget  # noqa: E402


def dataset(items: int, folder: Path) -> Path:
    """``items`` questions cycled from the golden set, with unique ids (qrels follow the ids)."""
    golden = [
        json.loads(x) for x in (ROOT / "data/eval/rag_chat.jsonl").read_text().splitlines() if x
    ]
    qrels = (ROOT / "data/eval/qrels.tsv").read_text().splitlines()[1:]
    records, rels = [], ["query-id\tcorpus-id\tscore"]
    for n in range(items):
        record = dict(golden[n % len(golden)], id=f"b-{n:03d}")
        records.append(json.dumps(record))
        original = golden[n % len(golden)]["id"]
        rels += [
            f"b-{n:03d}\t" + line.split("\t", 1)[1]
            for line in qrels
            if line.startswith(original + "\t")
        ]
    (folder / "rag.jsonl").write_text("\n".join(records) + "\n")
    (folder / "qrels.tsv").write_text("\n".join(rels) + "\n")
    thresholds = folder / "thresholds.yaml"
    thresholds.write_text(
        f"suites: [rag_chat]\nrag_chat:\n  dataset: {folder}/rag.jsonl\n  min_items: {items}\n"
        f"  files: {{qrels: {folder}/qrels.tsv}}\n  k: 5\n  floors: {{recall@5: 0.0}}\n"
        "  judges: [relevance]\n"
    )
    return thresholds


async def timed(
    thresholds: Path, base_url: str, concurrency: int, mode: str, cache: ResponseCache
) -> tuple[float, dict]:
    if mode == "judge":
        os.environ.update(EVAL_JUDGE_BASE_URL=base_url, EVAL_JUDGE_MODEL="stub-judge")
        overrides = {"telemetry_exporter": "none"}
    else:
        overrides = {
            "provider": "openai_compatible",
            "openai_base_url": base_url,
            "chat_model": "stub-model",
            "embedding_provider": "local",
            "telemetry_exporter": "none",
        }
    cfg = load_config(ROOT, thresholds)
    target = InProcessTarget(ROOT, overrides)
    await target.prepare()
    started = time.perf_counter()
    try:
        run = await evaluate(
            cfg,
            target,
            ["rag_chat"],
            f"c{concurrency}",
            {},
            cache,
            concurrency,
            Comparison(enabled=False),
        )
    finally:
        await target.aclose()
    return time.perf_counter() - started, run.summary["suites"]["rag_chat"]


@contextmanager
def model_endpoint(latency_ms: float) -> Iterator[str]:
    """The stub model in its own process (as a real endpoint would be): yields its base URL."""
    proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "eval.stub_model", "--latency-ms", str(latency_ms)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=load_config(ROOT).concurrency)
    parser.add_argument("--mode", choices=("judge", "app"), default="judge")
    args = parser.parse_args()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp, model_endpoint(args.latency_ms) as base_url:
        thresholds = dataset(args.items, Path(tmp))
        # judge mode: the app's answers are cached (never the model's); app mode: nothing is cached
        kinds = frozenset({"app"}) if args.mode == "judge" else frozenset()
        cache = ResponseCache(Path(tmp) / "cache.sqlite", kinds)
        if args.mode == "judge":
            asyncio.run(timed(thresholds, base_url, args.concurrency, args.mode, cache))
        results = {}
        for concurrency in (1, args.concurrency):
            seconds, suite = asyncio.run(timed(thresholds, base_url, concurrency, args.mode, cache))
            results[concurrency] = seconds
            print(
                f"concurrency {concurrency:>3}: {args.items} items in {seconds:6.2f} s "
                f"= {args.items / seconds:6.1f} items/s (errors {suite['n_errors']})"
            )
    speedup = results[1] / results[args.concurrency]
    print(
        f"speed-up at concurrency {args.concurrency}: {speedup:.1f}x (goal >= 8x) "
        f"with {args.latency_ms:.0f} ms model latency, mode {args.mode}"
    )


if __name__ == "__main__":
    main()
