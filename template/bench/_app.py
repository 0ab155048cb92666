"""Find the app package of this repository (bench scripts are not rendered per project name)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def package_name() -> str:
    names = [p.name for p in (ROOT / "src").iterdir() if (p / "__init__.py").is_file()]
    if len(names) != 1:
        sys.exit(f"expected one package under src/, found {names}")
    return names[0]


def module(name: str) -> ModuleType:
    """``module("orchestrator")`` imports ``<package>.orchestrator``."""
    return importlib.import_module(f"{package_name()}.{name}")
