"""Print how long ``genaiops assess`` takes on a synthetic 50,000-file repository, next to a
plain ``git ls-files`` of the same repository.

Goal: assess under 2 s and within 3x of the listing. The repository is a complete workload
(evidence up to Optimized, from the test fixture builder) plus filler: Python modules, docs,
JSON fixtures, text and small binary files, committed to git so ``git ls-files`` has an index.

    .venv/bin/python bench/assess_bench.py [--files 50000] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "assess"))

from assess_builder import build  # noqa: E402

MIX = ((".py", 0.2), (".md", 0.25), (".json", 0.3), (".txt", 0.15), (".bin", 0.1))


def make_repo(dest: Path, total: int) -> int:
    build(dest)
    existing = sum(len(files) for _r, _d, files in os.walk(dest))
    remaining = total - existing
    n = 0
    for ext, share in MIX:
        count = int(remaining * share) if ext != MIX[-1][0] else remaining - n
        for i in range(count):
            top = {
                "py": "src/app/generated",
                "md": "docs/pages",
                "json": "tests/fixtures",
                "txt": "data/raw",
                "bin": "assets",
            }[ext[1:]]
            folder = dest / top / f"d{i // 500:03d}"
            if i % 500 == 0:
                folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"f{i:05d}{ext}"
            if ext == ".py":
                path.write_text(f"def handler_{i}(x: int) -> int:\n    return x + {i}\n")
            elif ext == ".bin":
                path.write_bytes(b"\x00\x01" * 64)
            elif ext == ".json":
                path.write_text(f'{{"id": {i}, "value": "fixture {i}"}}\n')
            else:
                path.write_text(f"Page {i}\n\nSome text about topic {i % 97}.\n")
            n += 1
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.invalid",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.invalid",
    }
    subprocess.run(["git", "init", "-q", str(dest)], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "commit", "-qm", "bench"], check=True, env=env)
    return int(
        subprocess.run(
            ["git", "-C", str(dest), "ls-files"], capture_output=True, text=True, check=True
        ).stdout.count("\n")
    )


def timed(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="assess-bench-"))
    try:
        repo = work / "repo"
        if not (repo / ".git").exists():
            t0 = time.perf_counter()
            files = make_repo(repo, args.files)
            print(f"built {files} tracked files in {time.perf_counter() - t0:.1f} s")
        genaiops = str(Path(sys.executable).with_name("genaiops"))
        ls = timed(["git", "-C", str(repo), "ls-files"], args.runs)
        cli = timed(
            [genaiops, "assess", str(repo), "--format", "json", "--output", os.devnull], args.runs
        )
        from generator.assess.run import assess_repo

        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = assess_repo(repo)
            samples.append(time.perf_counter() - start)
        inproc = statistics.median(samples)
        print(f"git ls-files:                      {ls * 1000:8.0f} ms")
        print(
            f"genaiops assess (CLI, end to end): {cli * 1000:8.0f} ms  ({cli / ls:.1f}x the "
            "listing)"
        )
        print(
            f"assess in-process (walk+probes):   {inproc * 1000:8.0f} ms  ({inproc / ls:.1f}x the "
            "listing)"
        )
        print(
            f"overall level {report.overall.level}, {report.files} files indexed, "
            f"{len(report.notes)} notes; goal: < 2000 ms and <= 3x the listing"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
