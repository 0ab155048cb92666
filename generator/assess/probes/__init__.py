"""Probe implementations: one small pure function per probe id in ``maturity/probes/*.yml``.

Each function takes the collected ``Facts`` and returns findings; it never raises on bad input
(the runner turns an unexpected exception into an ``error`` finding for that probe alone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

ProbeFn = Callable[["Facts"], list["Finding"]]
REGISTRY: dict[str, ProbeFn] = {}


def probe(probe_id: str) -> Callable[[ProbeFn], ProbeFn]:
    def register(fn: ProbeFn) -> ProbeFn:
        if probe_id in REGISTRY:
            raise ValueError(f"probe {probe_id} registered twice")
        REGISTRY[probe_id] = fn
        return fn

    return register


def registry() -> dict[str, ProbeFn]:
    from generator.assess.probes import (  # noqa: F401  (imports register the probes)
        data,
        delivery,
        engineering,
        evaluation,
        infra,
        monitoring,
        prompts,
        safety,
    )

    return REGISTRY
