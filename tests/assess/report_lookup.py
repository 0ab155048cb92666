"""Look up a dimension or a probe in an assess report (a module of its own: `from conftest
import ...` resolves to whichever tests/*/conftest.py was imported first)."""

from __future__ import annotations

from generator.assess.evaluate import DimensionResult, Report


def dim(report: Report, dim_id: str) -> DimensionResult:
    return next(d for d in report.dimensions if d.dimension.id == dim_id)


def probe_status(report: Report, probe_id: str) -> str:
    for d in report.dimensions:
        for r in d.probes:
            if r.definition.id == probe_id:
                return r.status
    raise KeyError(probe_id)
