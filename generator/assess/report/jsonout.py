"""JSON output, versioned: ``maturity/schema/assess-report.schema.json`` describes it."""

from __future__ import annotations

import json
from typing import Any

from generator.assess.evaluate import DimensionResult, ProbeResult, Report
from generator.assess.findings import INFO, PASS

SCHEMA_VERSION = "1.1"  # 1.1: gaps, genai, capped_by, remediation command
SCHEMA_ID = (
    "https://github.com/genaiops/genaiops/blob/main/maturity/schema/assess-report.schema.json"
)


def _annotation(ann: Any) -> dict[str, Any] | None:
    if ann is None:
        return None
    out = {"status": ann.status, "reason": ann.reason}
    if ann.probe:
        out["probe"] = ann.probe
    if ann.dimension:
        out["dimension"] = ann.dimension
    return out


def _probe(r: ProbeResult) -> dict[str, Any]:
    return {
        "id": r.definition.id,
        "level": r.definition.level,
        "required": r.definition.required,
        "custom": r.definition.custom,
        "status": r.status,
        "effective_status": r.effective,
        "question": r.definition.question,
        "annotation": _annotation(r.annotation),
    }


def _findings(d: DimensionResult) -> list[dict[str, Any]]:
    out = []
    for r in d.probes:
        for f in r.findings:
            loc = {"path": f.path, "line": f.line} if f.path else None
            rem = None
            if f.outcome not in (PASS, INFO):
                rem = {
                    "text": r.definition.remediation_text,
                    "effort": r.definition.effort,
                    "command": r.definition.add_command,
                }
            out.append(
                {
                    "probe": f.probe,
                    "outcome": f.outcome,
                    "message": f.message,
                    "location": loc,
                    "remediation": rem,
                }
            )
    return out


def dimension_dict(report: Report, d: DimensionResult) -> dict[str, Any]:
    nxt = None
    if d.next_level is not None:
        nxt = {
            "level": d.next_level,
            "name": report.level_names[d.next_level],
            "needs": [
                {
                    "probe": r.definition.id,
                    "question": r.definition.question,
                    "remediation": r.definition.remediation_text,
                    "effort": r.definition.effort,
                    "command": r.definition.add_command,
                }
                for r in d.next_needs
            ],
        }
    return {
        "id": d.dimension.id,
        "name": d.dimension.name,
        "weight": d.dimension.weight,
        "applicable": d.applicable,
        "level": d.level,
        "level_name": report.level_names[d.level],
        "score": d.score,
        "evidenced_level": d.evidenced_level,
        "evidenced_score": d.evidenced_score,
        "reason": d.reason,
        "not_applicable_reason": d.na_reason,
        "next_level": nxt,
        "gaps": [r.definition.id for r in d.gaps],
        "annotation": _annotation(d.annotation),
        "scaffold_defaults": d.scaffold_defaults,
        "findings": _findings(d),
        "probes": [_probe(r) for r in d.probes],
    }


def report_dict(report: Report) -> dict[str, Any]:
    o = report.overall
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "kind": "genaiops-assess-report",
        "tool": {"name": "genaiops", "version": report.tool_version},
        "model_version": report.model_version,
        "repo": {"path": report.path, "commit": report.commit, "files": report.files},
        "duration_seconds": report.seconds,
        "overall": {
            "level": o.level,
            "level_name": report.level_names[o.level],
            "score": o.score,
            "evidenced_level": o.evidenced_level,
            "evidenced_score": o.evidenced_score,
            "annotated": bool(report.annotations),
            "weakest": o.weakest,
            "genai": o.genai,
            "capped_by": o.capped_by,
            "aligned_with": "Microsoft GenAIOps maturity model level definitions (not its "
            "questionnaire score)",
        },
        "dimensions": [dimension_dict(report, d) for d in report.dimensions],
        "annotations": [_annotation(a) for a in report.annotations],
        "scaffold_defaults": [{"path": p, "what": w} for p, w in report.scaffold_defaults],
        "notes": [
            {"kind": n.kind, "path": n.path, "message": n.message, "line": n.line}
            for n in report.notes
        ],
        "config": report.config_path,
    }


def fleet_summary(reports: list[Report]) -> dict[str, Any]:
    levels = {str(lv): sum(r.overall.level == lv for r in reports) for lv in range(5)}
    return {
        "repos": len(reports),
        "min_level": min((r.overall.level for r in reports), default=0),
        "mean_score": round(sum(r.overall.score for r in reports) / len(reports), 1)
        if reports
        else 0.0,
        "levels": levels,
    }


def render(reports: list[Report]) -> str:
    if len(reports) == 1:
        return json.dumps(report_dict(reports[0]), indent=2, ensure_ascii=False)
    doc = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "kind": "genaiops-assess-fleet",
        "tool": {"name": "genaiops", "version": reports[0].tool_version if reports else ""},
        "summary": fleet_summary(reports),
        "reports": [report_dict(r) for r in reports],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)
