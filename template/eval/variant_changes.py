"""Which prompt variants a pull request adds or changes, and what to compare each one with.

A variant is a file name under ``prompts/<prompt id>/`` (``concise.yaml`` is the variant
``concise`` of that prompt) or a named entry in ``evals/variants.yaml``. For each changed one
the comparison is *the variant as the base branch had it* (A) against *the variant as the pull
request has it* (B); a new variant is compared with the base branch's default. The base side
is materialised from git into a scratch folder, so both sides run in the same checkout.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.errors import UsageError

_PROMPT_FILE = re.compile(r"^prompts/([^/]+)/([^/]+)\.ya?ml$")
VARIANTS_FILE = "evals/variants.yaml"


@dataclass(frozen=True)
class Change:
    variant: str
    what: str  # the files or settings that changed, for the report
    a: str  # variant spec of the base side (python -m eval compare A ...)
    b: str  # variant spec of the pull request's side


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(  # noqa: S603 - fixed argv, git from PATH
        ["git", *args],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise UsageError(f"git {' '.join(args[:2])} failed: {proc.stderr.strip()[:300]}")
    return proc.stdout


def changed_files(root: Path, base: str) -> list[str]:
    out = git(root, "diff", "--name-only", "--diff-filter=AMR", f"{base}...HEAD", "--")
    return [line for line in out.splitlines() if line.strip()]


def _spec(settings: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(settings.items())) or "default"


def _base_variants(root: Path, base: str) -> dict[str, dict[str, Any]]:
    import yaml

    listed = git(root, "ls-tree", "--name-only", base, "--", VARIANTS_FILE).strip()
    if not listed:
        return {}
    data = yaml.safe_load(git(root, "show", f"{base}:{VARIANTS_FILE}")) or {}
    return {str(k): dict(v or {}) for k, v in (data.get("variants") or {}).items()}


def materialize_prompts(root: Path, base: str, dest: Path) -> Path:
    """The base branch's prompts/ folder, written under ``dest``."""
    target = dest / "base-prompts"
    for name in git(root, "ls-tree", "-r", "--name-only", base, "--", "prompts").splitlines():
        path = target / Path(name).relative_to("prompts")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(git(root, "show", f"{base}:{name}"), encoding="utf-8")
    return target


def changes(root: Path, base: str, scratch: Path) -> list[Change]:
    """Every prompt variant or named variant the pull request adds or changes."""
    from eval.config import load_variants

    files = changed_files(root, base)
    prompt_variants: dict[str, list[str]] = {}
    for name in files:
        match = _PROMPT_FILE.match(name)
        if match:
            prompt_variants.setdefault(match.group(2), []).append(name)
    found: list[Change] = []
    if prompt_variants:
        base_prompts = materialize_prompts(root, base, scratch)
        in_base = {p.stem for p in base_prompts.glob("*/*.y*ml")}
        for variant, names in sorted(prompt_variants.items()):
            side_a = variant if variant in in_base else "default"
            found.append(
                Change(
                    variant=variant,
                    what=", ".join(sorted(names)),
                    a=f"prompts_path={base_prompts},prompt_variant={side_a}",
                    b=f"prompt_variant={variant}",
                )
            )
    if VARIANTS_FILE in files:
        before, after = _base_variants(root, base), load_variants(root)
        for name, settings in sorted(after.items()):
            if before.get(name) == settings or name in prompt_variants:
                continue
            found.append(
                Change(
                    variant=name,
                    what=f"{VARIANTS_FILE}: {name}",
                    a=_spec(before.get(name, before.get("default", {}))),
                    b=_spec(settings),
                )
            )
    return found
