"""Print how long `genaiops update` takes against a raw `copier update` of the same change.

Both run as commands (each pays its own start-up and `import copier`), alternately, on fresh
copies of the same project: the workload template of this checkout as v1.0.0, and v2.0.0 =
the same with a line changed in README.md.jinja and Makefile.jinja and a file added. The project
carries a team edit. Two set-ups: the template as a local git repository, and as genaiops
ships it (canonical URL redirected to a git bundle), raw Copier given the same redirection.

    .venv/bin/python bench/update_bench.py [--runs 5]
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
sys.path.insert(0, str(ROOT))

from generator import bundle  # noqa: E402
from generator.template_source import CANONICAL_URL, config_env, redirect_pairs  # noqa: E402

BIN = Path(sys.executable).parent


def sh(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):  # 1: genaiops reports conflicts (none expected here)
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def make_template(base: Path, env: dict[str, str]) -> Path:
    tpl = base / "tpl"
    tpl.mkdir()
    for part in bundle.TEMPLATE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, tpl / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, tpl / part)
    sh(["git", "init", "--quiet"], tpl, env)
    sh(["git", "add", "--all"], tpl, env)
    sh(["git", "commit", "--quiet", "-m", "v1"], tpl, env)
    sh(["git", "tag", "v1.0.0"], tpl, env)
    for name in ("README.md.jinja", "Makefile.jinja"):
        path = tpl / "template" / name
        if path.exists():
            path.write_text(path.read_text() + "\n# changed in v2.0.0\n")
    (tpl / "template" / "CHANGES.md").write_text("# Changes\n\nv2.0.0\n")
    sh(["git", "add", "--all"], tpl, env)
    sh(["git", "commit", "--quiet", "-m", "v2"], tpl, env)
    sh(["git", "tag", "v2.0.0"], tpl, env)
    return tpl


def make_project(base: Path, src: str, env: dict[str, str]) -> Path:
    project = base / "project"
    sh(
        [str(BIN / "copier"), "copy", "--defaults", "--quiet", "-r", "v1.0.0", src, str(project)],
        base,
        env,
    )
    sh(["git", "init", "--quiet"], project, env)
    sh(["git", "add", "--all"], project, env)
    sh(["git", "commit", "--quiet", "-m", "generated"], project, env)
    readme = project / "README.md"
    readme.write_text("Team note at the top.\n\n" + readme.read_text())
    sh(["git", "commit", "--quiet", "-am", "team edit"], project, env)
    return project


def timed(args: list[str], project: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    sh(args, project, env)
    return time.perf_counter() - start


def scenario(name: str, base: Path, src: str, env: dict[str, str], runs: int) -> None:
    work = base / name
    work.mkdir()
    project = make_project(work, src, env)
    commands = {
        "copier update": [
            str(BIN / "copier"),
            "update",
            "--defaults",
            "--skip-answered",
            "--quiet",
            "-r",
            "v2.0.0",
        ],
        "genaiops update": [str(BIN / "genaiops"), "update", "--defaults", "--to", "v2.0.0"],
    }
    times: dict[str, list[float]] = {label: [] for label in commands}
    for run in range(runs + 1):  # the first round warms caches and is not counted
        for label, args in commands.items():
            copy = work / f"{label.split()[0]}-{run}"
            shutil.copytree(project, copy, symlinks=True)
            elapsed = timed(args, copy, env)
            if "_commit: v2.0.0" not in (copy / ".copier-answers.yml").read_text():
                raise SystemExit(f"{label} did not update {copy}")
            if run:
                times[label].append(elapsed)
            shutil.rmtree(copy)
    raw = statistics.median(times["copier update"])
    ours = statistics.median(times["genaiops update"])
    print(f"{name}:")
    for label, values in times.items():
        print(
            f"  {label:16s} median {statistics.median(values):.2f} s "
            f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
        )
    print(f"  ratio genaiops/copier: {ours / raw:.2f} (goal <= 1.20)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="genaiops-bench-") as tmp:
        base = Path(tmp)
        gitconfig = base / "gitconfig"
        gitconfig.write_text(
            "[user]\n\tname = bench\n\temail = bench@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n"
        )
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GENAIOPS_CACHE_DIR": str(base / "cache"),
            "COPIER_CACHE_DIR": str(base / "cache" / "copier"),
            "COPIER_SETTINGS_PATH": str(base / "none.yml"),
        }
        tpl = make_template(base, env)
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        scenario("local template repository", base, str(tpl), env, args.runs)

        shipped = base / "template.bundle"
        bundle.build_bundle(bundle.release_tags(tpl), shipped, source_root=tpl)
        redirected = {
            **env,
            **config_env(redirect_pairs(CANONICAL_URL, str(shipped))),
            "GIT_ALLOW_PROTOCOL": "file",
            "GENAIOPS_TEMPLATE_BUNDLE": str(shipped),
        }
        scenario("canonical URL via the bundle", base, CANONICAL_URL, redirected, args.runs)
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
