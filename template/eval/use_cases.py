"""The app's use cases (``src/<package>/use_cases.json``): one eval suite each.

The registry says, per use case, which fields its golden records hold, how it is scored
(``scorer``, ``reference``), which route serves it and which handler runs it in-process; the
suite's thresholds are its section of ``evals/thresholds.yaml``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from eval._package import PACKAGE

# `genaiops add eval` in a repository with no workload package: the template's registry,
# written beside this module (its suites score the repository's own app through eval/adapter.py)
ADDED = Path(__file__).with_name("use_cases.json")


def _added() -> dict[str, Any]:
    entries = json.loads(ADDED.read_text(encoding="utf-8"))
    return {
        name: SimpleNamespace(**{"name": name, "reference": "", "judge_query": "", **entry})
        for name, entry in entries.items()
    }


USE_CASES: dict[str, Any] = (
    _added() if ADDED.is_file() else importlib.import_module(f"{PACKAGE}.use_cases").USE_CASES
)
SUITES: tuple[str, ...] = tuple(USE_CASES)
