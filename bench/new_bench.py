"""Print how fast the CLI starts and how `genaiops new` compares with a raw `copier copy`.

Usage: python bench/new_bench.py [--runs N]
Both render the same template source in the same run: the template bundle genaiops redirects its
canonical URL to, at the same version. The figure to watch is the ratio of medians (goal: <= 1.15).
A raw copy of the plain template directory is printed too, for scale.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    genaiops = str(bindir / "genaiops")
    copier = str(bindir / "copier")

    work = Path(tempfile.mkdtemp(prefix="genaiops-bench-"))
    try:
        template = work / "template-root"
        for part in ("copier.yml", "template", "workflows", "iac"):
            src = REPO_ROOT / part
            if src.is_dir():
                shutil.copytree(src, template / part)
            elif src.is_file():
                template.mkdir(exist_ok=True)
                shutil.copy2(src, template / part)

        from generator.template_source import shipped_bundle

        bundle = shipped_bundle()  # built once here, so no run pays for it
        helps = [timed([genaiops, "--help"], work) for _ in range(args.runs)]
        ours, raw, plain = [], [], []
        for i in range(args.runs):  # interleave so load changes hit all alike
            ours.append(
                timed([genaiops, "new", str(work / f"g{i}"), "--defaults", "--no-git"], work)
            )
            raw.append(
                timed(
                    [
                        copier,
                        "copy",
                        "--defaults",
                        "--quiet",
                        "--vcs-ref",
                        bundle.current,
                        str(bundle.path),
                        str(work / f"c{i}"),
                    ],
                    work,
                )
            )
            plain.append(
                timed(
                    [copier, "copy", "--defaults", "--quiet", str(template), str(work / f"p{i}")],
                    work,
                )
            )
        files = sum(1 for p in (work / "g0").rglob("*") if p.is_file())
        print(f"template files rendered:          {files}")
        for label, times in (
            ("genaiops --help", helps),
            ("genaiops new --defaults --no-git", ours),
            ("copier copy --defaults (bundle)", raw),
            ("copier copy --defaults (plain dir)", plain),
        ):
            median = statistics.median(times)
            print(f"{label:<34} median {median:.3f} s  min {min(times):.3f} s")
        ratio = statistics.median(ours) / statistics.median(raw)
        print(f"{'ratio new/copier (medians)':<34} {ratio:.2f}  (goal <= 1.15)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
