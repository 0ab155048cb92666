"""Fixture files for the monitoring evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Telemetry: tracing, token usage and latency."""
    mon = lv["monitoring"]
    if mon >= 2:
        write(
            root,
            "src/app/telemetry.py",
            "\n".join(
                [
                    "import time",
                    "from opentelemetry import trace",
                    "",
                    "tracer = trace.get_tracer(__name__)",
                    "",
                    "def record(span, usage) -> None:",
                    "    start = time.perf_counter()",
                    '    span.set_attribute("gen_ai.usage.prompt_tokens", usage.prompt_tokens)',
                    '    span.set_attribute("latency_ms", (time.perf_counter() - start) * 1000)',
                    "",
                ]
            ),
        )


def add_monitor(root: Path, lv: Levels, mk: Fragments) -> None:
    """The scheduled online evaluation of production samples."""
    ev = lv["evaluation"]
    mon = lv["monitoring"]
    if mon >= 3 or ev >= 4:
        body = [
            "import json",
            "import urllib.request",
            "",
            "def main() -> int:",
            "    sample = json.load(urllib.request.urlopen('https://example.invalid/sample'))",
            "    score = sum(s['score'] for s in sample) / max(len(sample), 1)",
            "    print('online score', score)",
        ]
        if mon >= 4:
            body += [
                "    baseline = json.load(open('evals/baseline/summary.json'))",
                "    if score < baseline['rougeL'] - 0.1:",
                "        return 1",
            ]
        body += [
            "    return 0",
            "",
            "if __name__ == '__main__':",
            "    raise SystemExit(main())",
            "",
        ]
        write(root, "ops/monitor.py", "\n".join(body))
        mk["eval"].append(
            "monitor: ## evaluate production samples\n\t$(UV) run python -m ops.monitor\n"
        )
