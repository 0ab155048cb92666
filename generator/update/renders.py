"""Files as a template version renders them, for what Copier's update does not report.

Copier renders the old and the new version internally and keeps neither. genaiops needs some
of their files: the team's base of a deleted or renamed file, the template's change to a file
the team removed, both sides of a ``--conflict rej`` merge. Only those files are rendered.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.template_source import TemplateSource
from generator.update import preflight


def render_version(
    plan: preflight.Plan,
    ref: str,
    answers: Mapping[str, Any],
    *,
    keep: Iterable[str] | None = None,
    drop: Iterable[str] = (),
) -> dict[str, bytes]:
    """Path -> bytes of version ``ref``: only ``keep`` if given, else all but ``drop``."""
    from generator import scaffold

    source = TemplateSource(
        src=plan.answers.src_path,
        vcs_ref=ref,
        local_dir=None,
        shipped=plan.ours,
        git_env=plan.git_env,
    )
    exclude = scaffold.subset_exclude(sorted(set(keep))) if keep is not None else _except(drop)
    with tempfile.TemporaryDirectory(prefix="genaiops-version-") as tmp:
        dest = Path(tmp) / "render"
        scaffold.render(
            source,
            dest,
            answers,
            defaults=True,
            trust=False,
            answers_file=plan.answers.relpath,
            exclude=exclude,
        )
        return {
            p.relative_to(dest).as_posix(): p.read_bytes()
            for p in sorted(dest.rglob("*"))
            if p.is_file() and p.relative_to(dest).as_posix() != plan.answers.relpath
        }


def _except(paths: Iterable[str]) -> list[str]:
    """Copier ``exclude`` patterns that leave out exactly ``paths``."""
    return ["/" + re.sub(r"([\\\[\]*?!# ])", r"\\\1", path) for path in sorted(set(paths))]
