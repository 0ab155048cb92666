"""Print how far ``genaiops assess`` is from the hand-judged calibration corpus.

The corpus is the YAML block of ``maturity/calibration.md``: public repositories, each with the
commit that was judged and an expected level (0-4 or ``n/a``) per dimension and overall, written
before the tool was run on them (issue 11). For every row this script materialises the
repository at that commit from its fetched mirror (``<mirror-root>/<owner>+<name>/repo``, a bare
git directory brought by the search tool's ``fetch``) into a temporary directory, runs
``genaiops assess --format json`` on it and compares.

It runs outside CI: CI machines have no mirrors. A repository whose mirror (or commit) is
missing is reported as skipped; with none present the script exits 2. It prints figures and
asserts nothing about them.

Figures: the share of dimension levels within +-1 and exact, overall exact and within +-1, per
dimension agreement and bias (measured minus expected), the largest disagreements, and a check
of citations (findings whose cited line is blank or beyond the end of the file cannot show their
evidence). ``n/a`` counts as level 0 when compared with a number, so "not applicable" against
"not evidenced" agrees and ``n/a`` against a level L is L apart.

    .venv/bin/python bench/calibrate.py                       # this checkout's genaiops
    .venv/bin/python bench/calibrate.py --checkout /work/wt/assess-engine
    .venv/bin/python bench/calibrate.py --checkout /work/wt/assess-engine --ref 2f45b39
    .venv/bin/python bench/calibrate.py --genaiops "uv run genaiops" --format json
    .venv/bin/python bench/calibrate.py --only Azure-Samples/contoso-chat --keep /tmp/cal
    .venv/bin/python bench/calibrate.py --table               # the corpus as a Markdown table

``--checkout`` runs that checkout's ``.venv`` (an editable install: whatever its working tree
holds at the moment, which can change during a run). ``--ref`` freezes it: the checkout is
cloned at that commit into a temporary directory with its own ``uv sync --frozen``
environment. Setting ``PYTHONPATH`` does not switch engines: the editable install's finder
wins.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "maturity" / "calibration.md"
DIMENSIONS = (
    "data",
    "prompts",
    "evaluation",
    "delivery",
    "monitoring",
    "safety",
    "infra",
    "engineering",
)
NA = "n/a"
Level = int | str  # 0-4 or "n/a"


@dataclass(frozen=True)
class Expected:
    repo: str
    commit: str
    shape: str
    overall: int
    levels: dict[str, Level]
    reasons: dict[str, str]


@dataclass
class Citation:
    path: str
    line: int
    probe: str
    outcome: str
    text: str | None  # None: the line is beyond the end of the file, or the file is absent


@dataclass
class Measured:
    overall: int
    levels: dict[str, Level]
    reasons: dict[str, str]
    seconds: float
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Row:
    expected: Expected
    measured: Measured | None = None
    skipped: str | None = None
    error: str | None = None


def load_corpus(path: Path) -> list[Expected]:
    """Read the one YAML block of the calibration file."""
    match = re.search(r"^```yaml\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)
    if match is None:
        raise SystemExit(f"{path}: no ```yaml block with the corpus")
    data = YAML(typ="safe").load(match.group(1))
    rows = []
    for item in data["corpus"]:
        dims = item["dimensions"]
        missing = set(DIMENSIONS) - set(dims)
        if missing:
            raise SystemExit(f"{path}: {item['repo']} lacks {sorted(missing)}")
        rows.append(
            Expected(
                repo=item["repo"],
                commit=str(item["commit"]),
                shape=item.get("shape", ""),
                overall=int(item["overall"]["level"]),
                levels={d: dims[d]["level"] for d in DIMENSIONS},
                reasons={
                    "overall": item["overall"]["reason"],
                    **{d: dims[d]["reason"] for d in DIMENSIONS},
                },
            )
        )
    return rows


def mirror_of(root: Path, repo: str) -> Path:
    return root / repo.replace("/", "+") / "repo"


def materialise(mirror: Path, commit: str, dest: Path) -> None:
    """A clone sharing the mirror's objects, checked out at ``commit``; the mirror is not
    written to."""
    subprocess.run(
        ["git", "clone", "-q", "--shared", "--no-checkout", str(mirror), str(dest)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["git", "-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "-q", commit],
        check=True,
        capture_output=True,
    )


def run_assess(command: list[str], repo_dir: Path) -> tuple[dict[str, Any], float]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        start = time.perf_counter()
        proc = subprocess.run(
            [*command, "assess", str(repo_dir), "--format", "json", "--output", str(out)],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        if proc.returncode not in (0, 1) or not out.stat().st_size:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"exit {proc.returncode}: {' | '.join(tail)}")
        report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return report, seconds
    finally:
        out.unlink(missing_ok=True)


def cited_line(repo_dir: Path, path: str, line: int) -> str | None:
    target = repo_dir / path
    if not target.is_file():
        return None
    lines = target.read_bytes().decode("utf-8", "replace").splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def measure(report: dict[str, Any], repo_dir: Path, seconds: float) -> Measured:
    levels: dict[str, Level] = {}
    reasons: dict[str, str] = {"overall": ", ".join(report["overall"].get("weakest", []))}
    citations: list[Citation] = []
    for dim in report["dimensions"]:
        levels[dim["id"]] = dim["level"] if dim["applicable"] else NA
        reasons[dim["id"]] = dim.get("not_applicable_reason") or dim.get("reason", "")
        for finding in dim.get("findings", []):
            loc = finding.get("location") or {}
            if loc.get("path") and loc.get("line"):
                citations.append(
                    Citation(
                        path=loc["path"],
                        line=loc["line"],
                        probe=finding["probe"],
                        outcome=finding["outcome"],
                        text=cited_line(repo_dir, loc["path"], loc["line"]),
                    )
                )
    return Measured(
        overall=report["overall"]["level"],
        levels=levels,
        reasons=reasons,
        seconds=seconds,
        citations=citations,
    )


def as_number(level: Level) -> int:
    return 0 if level == NA else int(level)


def distance(expected: Level, measured: Level) -> int:
    if expected == NA and measured == NA:
        return 0
    return abs(as_number(expected) - as_number(measured))


def show(level: Level) -> str:
    return "-" if level == NA else str(level)


def run_corpus(
    corpus: list[Expected],
    command: list[str],
    mirror_root: Path,
    keep: Path | None,
    reports: Path | None = None,
) -> list[Row]:
    rows: list[Row] = []
    work = keep or Path(tempfile.mkdtemp(prefix="calibrate-"))
    try:
        for i, expected in enumerate(corpus, 1):
            row = Row(expected)
            rows.append(row)
            mirror = mirror_of(mirror_root, expected.repo)
            if not mirror.is_dir():
                row.skipped = f"no mirror at {mirror}"
                continue
            dest = work / expected.repo.replace("/", "+")
            try:
                if not dest.exists():
                    materialise(mirror, expected.commit, dest)
            except subprocess.CalledProcessError as exc:
                row.skipped = f"cannot check out {expected.commit[:12]}: {exc.stderr!r:.120}"
                shutil.rmtree(dest, ignore_errors=True)
                continue
            print(f"[{i}/{len(corpus)}] {expected.repo}", file=sys.stderr, flush=True)
            try:
                report, seconds = run_assess(command, dest)
                if reports is not None:
                    name = expected.repo.replace("/", "+") + ".json"
                    (reports / name).write_text(json.dumps(report, indent=1), encoding="utf-8")
                row.measured = measure(report, dest, seconds)
            except (RuntimeError, json.JSONDecodeError, KeyError) as exc:
                row.error = str(exc)
            if keep is None:
                shutil.rmtree(dest, ignore_errors=True)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def figures(rows: list[Row], worst: int) -> dict[str, Any]:
    done = [r for r in rows if r.measured is not None]
    pairs = [
        (r, d, r.expected.levels[d], r.measured.levels.get(d, NA))
        for r in done
        if r.measured is not None
        for d in DIMENSIONS
    ]
    dist = [distance(e, m) for _r, _d, e, m in pairs]
    over = [abs(r.expected.overall - r.measured.overall) for r in done if r.measured]
    per_dim: dict[str, dict[str, float]] = {}
    for d in DIMENSIONS:
        sel = [(e, m) for _r, dd, e, m in pairs if dd == d]
        if sel:
            per_dim[d] = {
                "within_1": sum(distance(e, m) <= 1 for e, m in sel) / len(sel),
                "exact": sum(distance(e, m) == 0 for e, m in sel) / len(sel),
                "bias": statistics.mean(as_number(m) - as_number(e) for e, m in sel),
            }
    disagreements = sorted(
        (
            {
                "repo": r.expected.repo,
                "dimension": d,
                "expected": e,
                "measured": m,
                "distance": distance(e, m),
                "expected_reason": r.expected.reasons[d],
                "tool_reason": r.measured.reasons.get(d, "") if r.measured else "",
            }
            for r, d, e, m in pairs
            if distance(e, m) >= 2
        ),
        key=lambda x: (-int(x["distance"]), str(x["repo"]), str(x["dimension"])),
    )
    overall_off = [
        {
            "repo": r.expected.repo,
            "dimension": "overall",
            "expected": r.expected.overall,
            "measured": r.measured.overall,
            "distance": abs(r.expected.overall - r.measured.overall),
            "expected_reason": r.expected.reasons["overall"],
            "tool_reason": "weakest: " + r.measured.reasons["overall"],
        }
        for r in done
        if r.measured and r.measured.overall != r.expected.overall
    ]
    cites = [c for r in done if r.measured for c in r.measured.citations]
    blank = [c for c in cites if c.text is not None and not c.text.strip()]
    beyond = [c for c in cites if c.text is None]
    return {
        "repositories": len(rows),
        "measured": len(done),
        "skipped": [{"repo": r.expected.repo, "why": r.skipped} for r in rows if r.skipped],
        "errors": [{"repo": r.expected.repo, "error": r.error} for r in rows if r.error],
        "dimension_pairs": len(dist),
        "dimension_within_1": share([x <= 1 for x in dist], len(dist)),
        "dimension_exact": share([x == 0 for x in dist], len(dist)),
        "overall_exact": share([x == 0 for x in over], len(over)),
        "overall_within_1": share([x <= 1 for x in over], len(over)),
        "per_dimension": per_dim,
        "largest_disagreements": (overall_off + disagreements)[: max(worst, len(overall_off))],
        "citations": {
            "with_line": len(cites),
            "blank_line": len(blank),
            "beyond_file": len(beyond),
            "bad_examples": [
                {"path": c.path, "line": c.line, "probe": c.probe, "outcome": c.outcome}
                for c in (blank + beyond)[:20]
            ],
        },
        "seconds": {
            r.expected.repo: round(r.measured.seconds, 2) for r in done if r.measured is not None
        },
    }


def share(hits: list[bool], n: int) -> float:
    return sum(hits) / n if n else 0.0


def per_repo(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        item: dict[str, Any] = {"repo": r.expected.repo, "commit": r.expected.commit}
        if r.skipped or r.error:
            item["skipped" if r.skipped else "error"] = r.skipped or r.error
        else:
            assert r.measured is not None
            item["overall"] = {"expected": r.expected.overall, "measured": r.measured.overall}
            item["dimensions"] = {
                d: {"expected": r.expected.levels[d], "measured": r.measured.levels.get(d, NA)}
                for d in DIMENSIONS
            }
        out.append(item)
    return out


def print_text(rows: list[Row], figs: dict[str, Any], label: str) -> None:
    short = ("data", "prom", "eval", "deliv", "monit", "safe", "infra", "eng")
    print(f"calibration against {label}")
    print(f"{'repository':52} {'overall':>7}  " + " ".join(f"{s:>6}" for s in short))
    for r in rows:
        if r.measured is None:
            print(f"{r.expected.repo:52} {'skipped: ' + (r.skipped or '') if r.skipped else ''}")
            if r.error:
                print(f"{'':52} error: {r.error[:90]}")
            continue
        cells = [
            f"{show(r.expected.levels[d])}/{show(r.measured.levels.get(d, NA))}"
            + ("*" if distance(r.expected.levels[d], r.measured.levels.get(d, NA)) >= 2 else " ")
            for d in DIMENSIONS
        ]
        ov = f"{r.expected.overall}/{r.measured.overall}"
        print(f"{r.expected.repo:52} {ov:>7}  " + " ".join(f"{c:>6}" for c in cells))
    print("cells: expected/measured, '-' = n/a, '*' = two or more levels apart")
    print()
    n = figs["dimension_pairs"]
    print(f"repositories measured:        {figs['measured']} of {figs['repositories']}")
    print(f"dimension levels within +-1:  {figs['dimension_within_1']:6.1%}  ({n} pairs)")
    print(f"dimension levels exact:       {figs['dimension_exact']:6.1%}")
    print(f"overall exact:                {figs['overall_exact']:6.1%}")
    print(f"overall within +-1:           {figs['overall_within_1']:6.1%}")
    print("per dimension (within +-1 / exact / bias measured-expected):")
    for d, v in figs["per_dimension"].items():
        print(f"  {d:12} {v['within_1']:6.1%} {v['exact']:6.1%} {v['bias']:+5.2f}")
    c = figs["citations"]
    print(
        f"citations with a line: {c['with_line']}; on a blank line: {c['blank_line']}; "
        f"beyond the file or file absent: {c['beyond_file']}"
    )
    for ex in c["bad_examples"][:10]:
        print(f"  {ex['path']}:{ex['line']}  {ex['probe']} ({ex['outcome']})")
    if figs["seconds"]:
        secs = list(figs["seconds"].values())
        print(
            f"assess time per repository: median {statistics.median(secs):.2f} s, "
            f"max {max(secs):.2f} s"
        )
    print()
    print("largest disagreements:")
    for x in figs["largest_disagreements"]:
        print(
            f"  {x['repo']} {x['dimension']}: expected {show(x['expected'])}, "
            f"measured {show(x['measured'])}"
        )
        print(f"      judged: {x['expected_reason'][:160]}")
        if x["tool_reason"]:
            print(f"      tool:   {x['tool_reason'][:160]}")
    for s in figs["skipped"]:
        print(f"skipped {s['repo']}: {s['why']}")


def print_table(corpus: list[Expected]) -> None:
    head = ["repo", "commit", *DIMENSIONS, "overall", "shape"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for e in corpus:
        cells = [e.repo, e.commit[:12], *(show(e.levels[d]) for d in DIMENSIONS)]
        print("| " + " | ".join([*cells, str(e.overall), e.shape]) + " |")


def frozen_checkout(checkout: Path, ref: str, dest: Path) -> Path:
    """Clone ``checkout`` at ``ref`` into ``dest`` with its own environment."""
    subprocess.run(["git", "clone", "-q", "--shared", str(checkout), str(dest)], check=True)
    subprocess.run(
        ["git", "-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "-q", ref],
        check=True,
    )
    print(f"installing {checkout} at {ref} into {dest} ...", file=sys.stderr, flush=True)
    uv = shutil.which("uv")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [uv, "sync", "--frozen", "-q"] if uv else ["python3", "-m", "uv", "sync", "--frozen", "-q"],
        cwd=dest,
        check=True,
        env={**env, "UV_COMPILE_BYTECODE": "1"},
    )
    return dest


def genaiops_command(args: argparse.Namespace) -> tuple[list[str], str]:
    if args.genaiops:
        return shlex.split(args.genaiops), args.genaiops
    if args.checkout and args.ref:
        frozen = frozen_checkout(Path(args.checkout).resolve(), args.ref, args.frozen_dir)
        rev = subprocess.run(
            ["git", "-C", str(frozen), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return [str(frozen / ".venv" / "bin" / "genaiops")], f"{args.checkout} at {rev} (frozen)"
    if args.checkout:
        exe = Path(args.checkout).resolve() / ".venv" / "bin" / "genaiops"
        if not exe.exists():
            raise SystemExit(f"{exe} does not exist: run `uv sync` in {args.checkout} first")
        rev = subprocess.run(
            ["git", "-C", str(args.checkout), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return [str(exe)], f"{args.checkout} at {rev or 'unknown commit'}"
    exe = Path(sys.executable).with_name("genaiops")
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return [str(exe)], f"{ROOT} at {rev or 'unknown commit'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--genaiops", help="command that runs genaiops, e.g. 'uv run genaiops'")
    which.add_argument("--checkout", type=Path, help="a genaiops checkout; runs its .venv")
    parser.add_argument("--ref", help="with --checkout: measure this commit of it, frozen")
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--only", action="append", default=[], help="owner/name; repeatable")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--worst", type=int, default=20, help="disagreements to list")
    parser.add_argument("--keep", type=Path, help="materialise the repositories here and keep them")
    parser.add_argument("--reports", type=Path, help="write each raw assess report here")
    parser.add_argument("--table", action="store_true", help="print the corpus table and exit")
    args = parser.parse_args()

    corpus = load_corpus(args.corpus)
    if args.only:
        unknown = set(args.only) - {e.repo for e in corpus}
        if unknown:
            parser.error(f"not in the corpus: {', '.join(sorted(unknown))}")
        corpus = [e for e in corpus if e.repo in args.only]
    if args.table:
        print_table(corpus)
        return 0
    if not any(mirror_of(args.mirror_root, e.repo).is_dir() for e in corpus):
        print(f"no mirror of any corpus repository under {args.mirror_root}", file=sys.stderr)
        return 2
    if args.ref and not args.checkout:
        parser.error("--ref needs --checkout")
    args.frozen_dir = Path(tempfile.mkdtemp(prefix="calibrate-engine-")) / "genaiops"
    try:
        command, label = genaiops_command(args)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        if args.reports:
            args.reports.mkdir(parents=True, exist_ok=True)
        rows = run_corpus(corpus, command, args.mirror_root, args.keep, args.reports)
    finally:
        shutil.rmtree(args.frozen_dir.parent, ignore_errors=True)
    figs = figures(rows, args.worst)
    if args.format == "json":
        json.dump({"genaiops": label, **figs, "rows": per_repo(rows)}, sys.stdout, indent=2)
        print()
    else:
        print_text(rows, figs, label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
