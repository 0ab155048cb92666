"""Annotations (.genaiops/assess.yml) are shown and never lift a level silently; custom
declarative probes can only add requirements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assess_builder import build, write
from conftest import dim, probe_status

from generator.assess.report import jsonout, markdown, text
from generator.assess.run import Options, assess_repo


def _config(root: Path, body: str) -> None:
    write(root, ".genaiops/assess.yml", body)


def test_not_detected_annotation_lifts_level_visibly(tmp_path: Path) -> None:
    root = build(tmp_path / "r", {"monitoring": 2})
    _config(
        root,
        "annotations:\n"
        "  - probe: monitoring.feedback\n    status: not-detected\n    reason: feedback is "
        "collected by the portal team's widget\n"
        "  - probe: monitoring.alerts\n    status: remediated\n    reason: alerts live in the "
        "shared observability repo\n",
    )
    report = assess_repo(root)
    mon = dim(report, "monitoring")
    assert mon.level == 3 and mon.evidenced_level == 2  # drift (level 4) is not annotated
    # seven dimensions at 4: the overall is capped one level above monitoring
    assert report.overall.evidenced_level == 3 and report.overall.level == 4
    doc = jsonout.report_dict(report)
    assert doc["overall"]["annotated"] is True and doc["overall"]["evidenced_level"] == 3
    assert "evidenced without them: level 3" in text.render([report])
    assert "Without them the evidence shows level 3" in markdown.render([report])
    strict = assess_repo(root, Options(ignore_annotations=True))
    assert dim(strict, "monitoring").level == 2 and strict.annotations == []


def test_not_applicable_dimension_leaves_the_overall(tmp_path: Path) -> None:
    root = build(tmp_path / "r", {"data": 0})
    _config(
        root,
        "annotations:\n  - dimension: data\n    status: not-applicable\n"
        "    reason: classification workload without grounding documents\n",
    )
    report = assess_repo(root)
    data = dim(report, "data")
    assert not data.applicable and "classification workload" in data.reason
    # without the annotation data is at 0, which caps the evidenced overall at Initial
    assert report.overall.level == 4 and report.overall.evidenced_level == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("annotations:\n  - probe: eval.ci_gate\n    status: not-applicable\n", "reason"),
        (
            "annotations:\n  - probe: eval.ci_gate\n    status: not-applicable\n    reason: TODO\n",
            "reason",
        ),
        (
            "annotations:\n  - probe: eval.nope\n    status: remediated\n    reason: done "
            "elsewhere entirely\n",
            "unknown probe",
        ),
        (
            "annotations:\n  - probe: eval.ci_gate\n    status: fine\n    reason: done elsewhere "
            "entirely\n",
            "status",
        ),
        (
            "annotations:\n  - probe: eval.ci_gate\n    dimension: evaluation\n    status: "
            "remediated\n    reason: both set here\n",
            "exactly one",
        ),
        ("annotations: {}\n", "must be a list"),
        (
            "custom_probes:\n  - id: mine\n    dimension: safety\n    check: {file_exists: x}\n",
            "custom.<name>",
        ),
        (
            "custom_probes:\n  - id: custom.x\n    dimension: safety\n    check: "
            "{file_contains: {path: x, pattern: '('}}\n",
            "bad regex",
        ),
        (
            "custom_probes:\n  - id: custom.x\n    dimension: nowhere\n    check: "
            "{file_exists: x}\n",
            "dimension",
        ),
        (
            "custom_probes:\n  - id: custom.x\n    dimension: safety\n    check: {teleport: x}\n",
            "exactly one",
        ),
        ("surprise: 1\n", "unknown key"),
        ("annotations: [\n", "invalid YAML"),
    ],
)
def test_config_mistakes_become_notes_and_are_ignored(
    tmp_path: Path, body: str, message: str
) -> None:
    root = build(tmp_path / "r", {"evaluation": 2})
    _config(root, body)
    report = assess_repo(root)
    assert dim(report, "evaluation").level == 2
    assert report.annotations == []
    notes = [n.message for n in report.notes if n.path == ".genaiops/assess.yml"]
    assert notes and message in " ".join(notes)


CUSTOM = """custom_probes:
  - id: custom.model-card
    dimension: safety
    level: 2
    required: true
    question: Is there a model card?
    remediation: Write docs/model-card.md.
    check:
      file_contains: {path: "docs/*.md", pattern: "(?i)^## intended use"}
  - id: custom.threshold-floor
    dimension: evaluation
    level: 3
    required: true
    check:
      yaml_key: {path: evals/thresholds.yaml, key: metrics.rougeL.min, min: 0.3}
  - id: custom.package-json
    dimension: engineering
    level: 1
    check:
      json_key: {path: package.json, key: engines.node, matches: "^>=20"}
  - id: custom.sbom
    dimension: engineering
    level: 4
    check:
      workflow_runs: {pattern: "make (test|lint)", events: [pull_request]}
  - id: custom.runbook
    dimension: delivery
    level: 2
    check:
      file_exists: docs/runbook.md
"""


def test_custom_probes_run_and_can_only_add_requirements(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    _config(root, CUSTOM)
    write(root, "package.json", json.dumps({"name": "x", "engines": {"node": ">=20"}}))
    report = assess_repo(root)
    assert probe_status(report, "custom.model-card") == "fail"
    assert dim(report, "safety").level == 1  # the failing required custom probe blocks Defined
    assert probe_status(report, "custom.threshold-floor") == "pass"
    assert probe_status(report, "custom.package-json") == "pass"
    assert probe_status(report, "custom.sbom") == "pass"
    assert probe_status(report, "custom.runbook") == "fail"
    assert dim(report, "delivery").level == 4  # optional custom probes never block
    write(root, "docs/model-card.md", "# Model card\n\n## Intended use\n\nHR questions only.\n")
    write(root, "evals/thresholds.yaml", "metrics:\n  rougeL:\n    min: 0.1\n")
    report = assess_repo(root)
    assert probe_status(report, "custom.model-card") == "pass"
    assert dim(report, "safety").level == 4
    assert probe_status(report, "custom.threshold-floor") == "fail"
    assert "custom.threshold-floor" in {
        r.definition.id for r in dim(report, "evaluation").next_needs
    }
