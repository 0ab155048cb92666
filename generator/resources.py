"""Where the shipped template and maturity model live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_DATA = PACKAGE_DIR / "_data"
_SOURCE_ROOT = PACKAGE_DIR.parent


def template_root() -> Path:
    """The directory holding ``copier.yml`` with ``template/``, ``workflows/`` and ``iac/``.

    A wheel carries it under ``generator/_data/template_root``; a source checkout (editable
    install, tests) uses the repository root itself.
    """
    installed = _INSTALLED_DATA / "template_root"
    if (installed / "copier.yml").is_file():
        return installed
    return _SOURCE_ROOT


def maturity_dir() -> Path:
    """The maturity model as data (dimensions, levels, probes)."""
    installed = _INSTALLED_DATA / "maturity"
    if installed.is_dir():
        return installed
    return _SOURCE_ROOT / "maturity"
