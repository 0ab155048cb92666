"""Command line: ``python -m <package> ingest|serve|ask``, and one command per text use case
(``summarize``, ``classify``, ...: the ``operation`` of its entry in use_cases.json)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from .guardrails import RedactingFilter
from .settings import get_settings
from .use_cases import USE_CASES


def _orchestrator() -> Any:
    from .orchestrator import Orchestrator

    return Orchestrator.from_settings(get_settings())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=__package__, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="index data/docs incrementally and write the manifest")
    ingest.add_argument("--full", action="store_true", help="rebuild the index from scratch")
    serve = sub.add_parser("serve", help="serve the HTTP API and the chat UI")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=None, help="processes (default: WEB_CONCURRENCY or CPUs)"
    )
    ask = sub.add_parser("ask", help="ask one question and print the JSON result")
    ask.add_argument("question")
    tasks = {u.operation: u for u in USE_CASES.values() if u.input == "text"}
    for name in tasks:
        cmd = sub.add_parser(name, help=f"{name} a file ('-' for stdin) and print the JSON result")
        cmd.add_argument("file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("semantic_kernel").setLevel(logging.WARNING)  # one INFO line per kernel call
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())

    try:
        settings = get_settings()
    except ValueError as exc:
        print(f"error: invalid settings: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        import uvicorn

        from .serving import uvicorn_options, workers

        try:
            count = args.workers or workers()
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        uvicorn.run(f"{__package__}.api:app", **uvicorn_options(args.host, args.port, count))
        return 0
    try:
        orchestrator = _orchestrator()
    except (ValueError, RuntimeError, OSError) as exc:  # PromptError is a ValueError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "ingest":
        report = asyncio.run(orchestrator.ingest(full=args.full))
        print(report.summary())
        for doc_id, problem in report.failed.items():
            print(f"warning: {doc_id}: {problem}", file=sys.stderr)
        print(f"manifest: {settings.index_path.parent / 'manifest.json'}")
        return 1 if report.failed else 0
    if args.command == "ask":
        result = asyncio.run(orchestrator.chat(args.question))
    else:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        result = asyncio.run(tasks[args.command].run(orchestrator, text))
    print(json.dumps(result.model_dump(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
