"""SARIF 2.1.0: one rule per probe (help = motivation + detection + remediation), one result per
failing probe with its locations; annotated probes carry a SARIF suppression with the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.assess.evaluate import DimensionResult, ProbeResult, Report
from generator.assess.findings import ERROR, FAIL

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFO_URI = "https://github.com/genaiops/genaiops/tree/main/maturity"
INPUT_RULE = "assess.input"


def _rule(r: ProbeResult, names: dict[int, str]) -> dict[str, Any]:
    d = r.definition
    md = (
        f"**{d.question}**\n\n{d.motivation}\n\n**How it is detected:** {d.detection}\n\n"
        f"**Remediation** (effort: {d.effort}): {d.remediation_text}\n\n"
        f"Dimension `{d.dimension}`, level {d.level} "
        f"({names[d.level]}){'' if d.required else ', optional'}."
    )
    return {
        "id": d.id,
        "name": "".join(
            p.capitalize() for p in d.id.replace("-", ".").replace("_", ".").split(".")
        ),
        "shortDescription": {"text": d.question},
        "fullDescription": {"text": d.motivation},
        "help": {
            "text": f"{d.motivation} Detection: {d.detection} Remediation ({d.effort} effort): "
            f"{d.remediation_text}",
            "markdown": md,
        },
        "defaultConfiguration": {"level": "warning" if d.required else "note"},
        "properties": {
            "tags": ["genaiops", "maturity", d.dimension],
            "dimension": d.dimension,
            "maturity-level": d.level,
            "required": d.required,
            "effort": d.effort,
        },
    }


def _location(path: str, line: int | None) -> dict[str, Any]:
    loc: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"}}
    }
    if line and line > 0:
        loc["physicalLocation"]["region"] = {"startLine": line}
    return loc


def _results(dim: DimensionResult, r: ProbeResult, index: int) -> dict[str, Any] | None:
    if r.status not in (FAIL, ERROR) or not dim.evidenced_applicable:
        return None
    fails = [f for f in r.findings if f.outcome in (FAIL, ERROR)]
    blocking = (
        r.definition.required
        and dim.next_level is not None
        and r.definition.level <= dim.next_level
    )
    message = "; ".join(f.message for f in fails[:5]) or r.definition.question
    locs = [_location(f.path, f.line) for f in fails if f.path][:10]
    if not locs:
        locs = [_location(r.definition.fix or "README.md", None)]
    result: dict[str, Any] = {
        "ruleId": r.definition.id,
        "ruleIndex": index,
        "level": "error" if blocking else ("warning" if r.definition.required else "note"),
        "message": {"text": f"{message} — Remediation: {r.definition.remediation_text}"},
        "locations": locs,
        "properties": {"dimension": dim.dimension.id, "dimension-level": dim.level},
    }
    if r.annotation is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{r.annotation.status}: {r.annotation.reason}",
            }
        ]
    elif dim.annotation is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"dimension {dim.annotation.status}: {dim.annotation.reason}",
            }
        ]
    return result


def run_dict(report: Report) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for dim in report.dimensions:
        for r in dim.probes:
            rules.append(_rule(r, report.level_names))
            res = _results(dim, r, len(rules) - 1)
            if res is not None:
                results.append(res)
    if report.notes:
        rules.append(
            {
                "id": INPUT_RULE,
                "name": "AssessInput",
                "shortDescription": {
                    "text": "A file could not be read or parsed by the assessment."
                },
                "fullDescription": {
                    "text": "Unreadable, binary, oversized or invalid files are skipped "
                    "and reported instead of failing the whole assessment."
                },
                "help": {
                    "text": "Fix the file (valid YAML/JSON) or ignore this note if the file is not "
                    "meant to be read."
                },
                "defaultConfiguration": {"level": "note"},
            }
        )
        for n in report.notes:
            results.append(
                {
                    "ruleId": INPUT_RULE,
                    "ruleIndex": len(rules) - 1,
                    "level": "note",
                    "message": {"text": f"{n.kind}: {n.message}"},
                    "locations": [_location(n.path if n.path != "." else "README.md", n.line)],
                }
            )
    root = Path(report.path).resolve().as_uri().rstrip("/") + "/"
    o = report.overall
    return {
        "tool": {
            "driver": {
                "name": "genaiops-assess",
                "version": report.tool_version,
                "informationUri": INFO_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"genaiops-assess/{Path(report.path).resolve().name}/"},
        "originalUriBaseIds": {"SRCROOT": {"uri": root}},
        "results": results,
        "properties": {
            "overall-level": o.level,
            "overall-level-name": report.level_names[o.level],
            "overall-score": o.score,
            "evidenced-level": o.evidenced_level,
            "commit": report.commit,
        },
    }


def render(reports: list[Report]) -> str:
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run_dict(r) for r in reports]}
    return json.dumps(doc, indent=2, ensure_ascii=False)
