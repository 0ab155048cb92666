"""Resolve which template Copier renders: the shipped one, or one the user names."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator import resources
from generator.errors import GenaiopsError
from generator.questions import find_config

TEMPLATE_PARTS = ("copier.yml", "template", "workflows", "iac")
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|git@|gh:|gl:)", re.IGNORECASE)


@dataclass(frozen=True)
class TemplateSource:
    """What to hand Copier, and whether its code (tasks, extensions) may run."""

    src: str
    vcs_ref: str | None
    local_dir: Path | None
    shipped: bool


def is_remote(src: str) -> bool:
    return bool(_REMOTE.match(src))


@contextmanager
def open_source(template: str | None, vcs_ref: str | None) -> Iterator[TemplateSource]:
    """Yield a source ready for Copier; temporary copies are removed afterwards."""
    if template is None:
        with _shipped_source() as source:
            yield source
        return
    if is_remote(template):
        yield TemplateSource(src=template, vcs_ref=vcs_ref, local_dir=None, shipped=False)
        return
    path = Path(template).expanduser()
    if not path.exists():
        raise GenaiopsError(f"template {template}: no such file or directory")
    if path.is_dir() and find_config(path) is None:
        raise GenaiopsError(f"template {template}: not a Copier template (no copier.yml)")
    yield TemplateSource(
        src=str(path.resolve()),
        vcs_ref=vcs_ref,
        local_dir=path.resolve() if path.is_dir() else None,
        shipped=False,
    )


@contextmanager
def _shipped_source() -> Iterator[TemplateSource]:
    root = resources.template_root()
    if not (root / ".git").exists():
        yield TemplateSource(src=str(root), vcs_ref=None, local_dir=root, shipped=True)
        return
    # In a source checkout Copier would clone the git repository and ignore uncommitted
    # template edits; render a plain copy of the template parts instead.
    staging = Path(tempfile.mkdtemp(prefix="genaiops-template-"))
    try:
        for part in TEMPLATE_PARTS:
            source = root / part
            if source.is_dir():
                shutil.copytree(source, staging / part, symlinks=False)
            elif source.is_file():
                shutil.copy2(source, staging / part)
        yield TemplateSource(src=str(staging), vcs_ref=None, local_dir=staging, shipped=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
