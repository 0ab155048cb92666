"""The app's use cases (``src/<package>/use_cases.json``): one eval suite each.

The registry says, per use case, which fields its golden records hold, how it is scored
(``scorer``, ``reference``), which route serves it and which handler runs it in-process; the
suite's thresholds are its section of ``evals/thresholds.yaml``.
"""

from __future__ import annotations

import importlib
from typing import Any

from eval._package import PACKAGE

USE_CASES: dict[str, Any] = importlib.import_module(f"{PACKAGE}.use_cases").USE_CASES
SUITES: tuple[str, ...] = tuple(USE_CASES)
