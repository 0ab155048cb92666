"""Fixture files for the evaluation evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

import json
from pathlib import Path

from assess_builder.common import Fragments, Levels, records, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Golden dataset, eval runner with metrics, thresholds, baseline."""
    ev = lv["evaluation"]
    if ev >= 1:
        write(root, "data/eval/golden.jsonl", "".join(json.dumps(r) + "\n" for r in records()))
        run = [
            "import argparse",
            "",
            "def parse() -> argparse.Namespace:",
            "    p = argparse.ArgumentParser()",
            "    p.add_argument('--dataset')",
            "    p.add_argument('--thresholds')",
            "    return p.parse_args()",
            "",
            "def main() -> int:",
            "    args = parse()",
            "    rows = open(args.dataset).read().splitlines()",
            "    print(len(rows), 'items')",
        ]
        if ev >= 2:
            run[0:0] = ["import json", "from rouge_score import rouge_scorer"]
            run += [
                "    scorer = rouge_scorer.RougeScorer(['rougeL'])",
                "    summary = {'rougeL': 0.5, 'n': len(rows)}",
                "    open('summary.json', 'w').write(json.dumps(summary))",
            ]
        if ev >= 4:
            run += [
                "    baseline = json.load(open('evals/baseline/summary.json'))",
                "    if summary['rougeL'] < baseline['rougeL'] - 0.05:",
                "        return 1",
            ]
        run += [
            "    return 0",
            "",
            "if __name__ == '__main__':",
            "    raise SystemExit(main())",
            "",
        ]
        write(root, "evals/run.py", "\n".join(run))
        write(root, "evals/__init__.py", "")
        cmd = "$(UV) run python -m evals.run --dataset data/eval/golden.jsonl"
        if ev >= 3:
            cmd += " --thresholds evals/thresholds.yaml"
            write(
                root,
                "evals/thresholds.yaml",
                "metrics:\n  rougeL:\n    min: 0.35\n  recall_at_5:\n    min: 0.6\n"
                "max_error_rate: 0.02\n",
            )
        mk["eval"].append(f"eval: install ## run the offline eval gate\n\t{cmd}\n")
    if ev >= 4:
        write(
            root,
            "evals/baseline/summary.json",
            json.dumps({"rougeL": 0.52, "recall_at_5": 0.7, "n": 12}),
        )
