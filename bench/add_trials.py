"""`genaiops add` on real repositories: what it plans, whether the added commands resolve, and
assess before and after. Prints figures; asserts nothing.

Each argument is a checkout (a materialised snapshot of a public repository, outside this
project). It is copied to a scratch directory, committed, and every capability is planned
(`--pretend --format json`); those not refused are applied and committed one after the other.
The added workflows are then walked with the assess chain resolver (tests/add/resolve.py), the
recipe of every make target they call is shown (`make -n`), and with ``--run`` each such target
is run for real (installers included: they reach the package registries).

    python bench/add_trials.py /tmp/snapshots/rag-postgres-openai-python ... [--run] \
        [--data eval_target_request='{"messages": [{"role": "user", "content": "{question}"}]}']
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "add"))
CAPABILITIES = ("workflows", "eval", "iac", "pre-commit")
FOLDERS = ("eval", "infra", "tools")  # many files: counted, not listed
IDENTITY = ["-c", "user.name=trial", "-c", "user.email=trial@example.invalid"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *IDENTITY, *args], cwd=cwd, check=True, capture_output=True)


def genaiops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def assess(root: Path) -> tuple[str, dict[str, int]]:
    proc = genaiops("assess", str(root), "--format", "json", "--no-progress")
    doc = json.loads(proc.stdout)
    levels = {d["id"]: d["level"] for d in doc["dimensions"]}
    return f"level {doc['overall']['level']}, score {doc['overall']['score']}", levels


def written(root: Path) -> list[str]:
    """Files the last `add` wrote (``(edited)`` for one that was there), a folder of many
    files shown as one entry."""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    folders: dict[str, int] = {}
    shown = []
    for line in out:
        path = line[3:]
        head = path.split("/", 1)[0]
        if "/" in path and head in FOLDERS:
            folders[head] = folders.get(head, 0) + 1
        else:
            shown.append(f"(edited) {path}" if line[:2].strip() == "M" else path)
    return [*(f"{h}/ ({n} files)" for h, n in folders.items()), *shown]


def trial(source: Path, data: list[str], run: bool) -> None:
    from resolve import unresolved

    with tempfile.TemporaryDirectory(prefix="add-trial-") as tmp:
        root = Path(tmp) / source.name
        shutil.copytree(source, root, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        git(root, "add", "-A")
        git(root, "commit", "-qm", "snapshot")
        before, levels_before = assess(root)
        print(f"\n## {source.name}\nassess before: {before}")
        for capability in CAPABILITIES:
            extra = [x for d in data for x in ("--data", d)] if capability == "eval" else []
            started = time.perf_counter()
            plan = genaiops(
                "add", capability, str(root), "--defaults", "--pretend", "--format", "json", *extra
            )
            seconds = time.perf_counter() - started
            doc = json.loads(plan.stdout) if plan.stdout.strip().startswith("{") else {}
            steps = (doc.get("plan") or {}).get("steps", [])
            print(f"\n### add {capability} (plan in {seconds:.1f} s, exit {plan.returncode})")
            for step in steps:
                where = f" [{', '.join(step['paths'])}]" if step["paths"] else ""
                print(f"- {step['action']}: {step['what']}{where}: {step['detail']}")
            if plan.returncode != 0:
                print(f"- refused: {plan.stderr.strip()}")
                continue
            done = genaiops("add", capability, str(root), "--defaults", *extra)
            if done.returncode != 0:
                print(f"- apply failed: {done.stderr.strip() or done.stdout[-400:]}")
                continue
            files = written(root)
            print(f"- wrote {len(files)}: {', '.join(files)}")
            git(root, "add", "-A")
            git(root, "commit", "-qm", f"genaiops add {capability}")
        problems = unresolved(root) if (root / ".github/workflows").is_dir() else []
        added = sorted(p.name for p in (root / ".github/workflows").glob("genaiops-*.yml"))
        print(f"\nadded workflows: {', '.join(added) or 'none'}")
        print(f"unresolved commands: {len(problems)}")
        for line in problems:
            print(f"  - {line}")
        called = sorted(
            {
                line.split("make", 1)[1].split()[-1]
                for wf in (root / ".github/workflows").glob("genaiops-*.yml")
                for line in wf.read_text().splitlines()
                if line.strip().startswith("run: make ")
            }
        )
        for target in called:
            dry = subprocess.run(["make", "-n", target], cwd=root, capture_output=True, text=True)
            recipe = " ; ".join(dry.stdout.strip().splitlines()[-3:])
            shown = f"ok: {recipe}" if dry.returncode == 0 else dry.stderr.strip()
            print(f"make -n {target}: {shown}")
        for target in called if run else []:
            started = time.perf_counter()
            done = subprocess.run(
                ["make", "-s", target], cwd=root, capture_output=True, text=True, timeout=1200
            )
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            took = time.perf_counter() - started
            print(f"make {target}: exit {done.returncode} in {took:.0f} s: {' | '.join(tail)}")
        after, levels_after = assess(root)
        down = [d for d, level in levels_before.items() if levels_after.get(d, 0) < level]
        print(f"assess after: {after}; dimensions down: {down or 'none'}")
        changed = {
            d: f"{levels_before[d]}->{levels_after[d]}"
            for d in levels_before
            if levels_after[d] != levels_before[d]
        }
        print(f"dimensions changed: {changed or 'none'}")
        print(
            "per dimension (before -> after): "
            + ", ".join(f"{d} {levels_before[d]}->{levels_after[d]}" for d in levels_before)
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--data", action="append", default=[], help="answers for add eval")
    parser.add_argument("--run", action="store_true", help="run the make targets called")
    args = parser.parse_args()
    os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
    for repo in args.repos:
        trial(repo.resolve(), args.data, args.run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
