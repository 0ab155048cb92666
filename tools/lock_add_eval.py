"""Pin the eval harness's dependencies for repositories genaiops did not generate.

`genaiops add eval` runs the harness (eval/) in an environment of its own, built by uv from
eval/requirements.txt: the template's `eval` dependency group (template/pyproject.toml.jinja),
resolved for every platform and Python >= 3.11. Run after that group changes;
`--check` exits 1 when the pinned file is stale.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "template" / "pyproject.toml.jinja"
OUT = ROOT / "template" / "{% if capability != 'app' %}eval{% endif %}" / "requirements.txt"
HEADER = (
    "# The eval harness's dependencies, pinned for every platform (genaiops add eval).\n"
    "# Made by tools/lock_add_eval.py from the template's `eval` dependency group.\n"
)


def eval_group() -> list[str]:
    """The `eval` group of the template's pyproject (its Jinja is outside that table)."""
    text = re.sub(r"\{\{.*?\}\}", "x", PYPROJECT.read_text(encoding="utf-8"))
    data = tomllib.loads(text)
    return list(data["dependency-groups"]["eval"])


def compile_pins() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "requirements.in"
        source.write_text("\n".join(eval_group()) + "\n", encoding="utf-8")
        uv = shutil.which("uv") or sys.exit("uv is not on PATH")
        proc = subprocess.run(
            [
                uv,
                "pip",
                "compile",
                "--universal",
                "--quiet",
                "--python-version",
                "3.11",
                "--no-header",
                "--no-annotate",
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"uv pip compile failed: {proc.stderr.strip()}")
    return HEADER + proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args()
    pins = compile_pins()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        if current != pins:
            print(f"{OUT.relative_to(ROOT)} is stale: run python tools/lock_add_eval.py")
            return 1
        return 0
    OUT.write_text(pins, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
