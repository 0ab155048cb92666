"""Every finding's location is the line that shows the evidence: for fixtures, the cited line
contains the matched text, and no finding cites a blank line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from assess_builder import build, write
from test_assess_ci_systems import _azure_repo

from generator.assess.run import assess_repo


def _cited(root: Path) -> list[tuple[str, str, int, str, str | None]]:
    report = assess_repo(root)
    out = []
    for d in report.dimensions:
        for r in d.probes:
            for f in r.findings:
                if f.path and f.line:
                    lines = (root / f.path).read_text().splitlines()
                    out.append((f.probe, f.path, f.line, lines[f.line - 1], f.snippet))
    return out


@pytest.mark.parametrize("shape", ["github", "azure", "gamed"])
def test_cited_lines_hold_the_evidence(tmp_path: Path, shape: str) -> None:
    if shape == "azure":
        root = _azure_repo(tmp_path / "r")
    else:
        root = build(tmp_path / "r", {"evaluation": 2, "monitoring": 2} if shape == "gamed" else {})
        # evidence after a blank line and a comment: `^\s*` under re.M used to cite the blank
        write(
            root,
            "src/app/tracing.py",
            "\n\n# tracing is configured here\n\nfrom opentelemetry import trace\n",
        )
        if shape == "gamed":
            ci = root / ".github/workflows/ci.yml"
            ci.write_text(ci.read_text().replace("run: make test", "run: make test || true"))
    cited = _cited(root)
    assert len(cited) >= 10
    for probe, path, line, text, snippet in cited:
        assert text.strip(), f"{probe} cites blank {path}:{line}"
        if snippet and "${{" not in text:  # a template parameter stands for the value
            words = re.findall(r"[\w./-]+", snippet[:40])  # the shell's tokens, quoting aside
            assert all(w in text for w in words), (probe, path, line, text, snippet)


def test_run_findings_cite_the_command_line_not_the_step_name(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    cited = {(p, path): text for p, path, _line, text, _s in _cited(root)}
    assert "make eval" in cited[("eval.ci_gate", ".github/workflows/ci.yml")]
    assert "make test" in cited[("delivery.ci_tests", ".github/workflows/ci.yml")]


@pytest.mark.parametrize(
    "script",
    [
        "inlineScript: az bicep build -f infra/main.bicep",
        "inlineScript: |\n            az bicep build -f infra/main.bicep",
    ],
)
def test_action_input_scripts_cite_their_own_line(tmp_path: Path, script: str) -> None:
    root = build(tmp_path / "r", {"infra": 1})  # no other IaC validation in CI
    write(
        root,
        ".github/workflows/iac.yml",
        "on: [pull_request]\njobs:\n  bicep:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: azure/cli@v2\n        with:\n          " + script + "\n",
    )
    cited = [c for c in _cited(root) if c[0] == "infra.validated"]
    assert cited and "az bicep build" in cited[0][3], cited
