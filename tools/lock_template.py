"""Refresh ``template/uv.lock.jinja``: the locked dependency set every generated repo starts with.

Run after changing ``template/pyproject.toml.jinja``:  python tools/lock_template.py
It renders a repository with the default answers, runs ``uv lock`` there (PyPI is needed), and
turns the lock back into a template: the only answer-dependent line is the project's own name.
``--check`` exits 1 when the committed lock no longer matches the template's pyproject.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCK_TEMPLATE = REPO_ROOT / "template" / "uv.lock.jinja"
NAME_EXPRESSION = "{{ project_slug | replace('_', '-') }}"


def render_default(dest: Path) -> str:
    """Render the default repository; return its distribution name."""
    subprocess.run(
        [sys.executable, "-m", "generator", "new", str(dest), "--defaults", "--no-git"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r'^name = "([^"]+)"', (dest / "pyproject.toml").read_text(), re.MULTILINE)
    if not match:
        raise SystemExit("cannot find the project name in the rendered pyproject.toml")
    return match.group(1)


def templatize(lock: str, name: str) -> str:
    """Everything verbatim (inside raw blocks) but the project's own ``name =`` line."""
    line = f'name = "{name}"\n'
    if lock.count(line) != 1:
        raise SystemExit(f"expected exactly one {line.strip()!r} in uv.lock")
    before, after = lock.split(line)
    return (
        "{% raw %}"
        + before
        + "{% endraw %}"
        + f'name = "{NAME_EXPRESSION}"\n'
        + "{% raw %}"
        + after
        + "{% endraw %}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only verify the committed lock")
    args = parser.parse_args()
    uv = shutil.which("uv") or sys.exit("uv is not on PATH")
    work = Path(tempfile.mkdtemp(prefix="genaiops-lock-"))
    try:
        repo = work / "repo"
        name = render_default(repo)
        if args.check:
            proc = subprocess.run([uv, "lock", "--check"], cwd=repo, capture_output=True, text=True)
            print((proc.stderr or proc.stdout).strip())
            return 0 if proc.returncode == 0 else 1
        (repo / "uv.lock").unlink(missing_ok=True)
        subprocess.run([uv, "lock", "--quiet"], cwd=repo, check=True)
        LOCK_TEMPLATE.write_text(templatize((repo / "uv.lock").read_text(), name))
        print(f"wrote {LOCK_TEMPLATE.relative_to(REPO_ROOT)} from {name}'s lock")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
