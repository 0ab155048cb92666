"""The scoring rule's constraints (maturity/README.md, "How a level is computed")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from assess_builder import build, write
from conftest import dim

from generator.assess.run import assess_repo


def test_one_missing_lower_probe_is_a_gap_not_a_zero(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    api = root / "src/app/api.py"
    api.write_text(api.read_text().replace('"/health"', '"/status-page"'))
    mon = dim(assess_repo(root), "monitoring")
    assert mon.level == 4, mon.reason
    assert [r.definition.id for r in mon.gaps] == ["monitoring.health"]
    assert "gap: monitoring.health" in mon.reason
    assert mon.score < 10.0  # the gap costs its share of the score


def test_more_than_two_missing_lower_probes_stop_the_ladder(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    api = root / "src/app/api.py"
    api.write_text(api.read_text().replace('"/health"', '"/status-page"'))
    (root / "src/app/telemetry.py").write_text("def record() -> None:\n    return None\n")
    mon = dim(assess_repo(root), "monitoring")
    assert mon.level == 1, mon.reason
    assert {"monitoring.health", "monitoring.tracing"} <= {r.definition.id for r in mon.next_needs}


def test_genai_app_with_nothing_else_is_initial(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app.py",
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q: str) -> str:\n"
        "    r = client.chat.completions.create(model='m', messages=[{'role': 'user', "
        "'content': q}])\n    return r.choices[0].message.content\n",
    )
    report = assess_repo(tmp_path)
    assert report.overall.level == 1
    assert report.overall.genai is not None and "app.py:1" in report.overall.genai
    assert min(d.level for d in report.dimensions if d.applicable) == 0


def test_classical_ml_repo_is_zero_for_genaiops(tmp_path: Path) -> None:
    write(
        tmp_path,
        "train.py",
        "import logging\nfrom sklearn.linear_model import LogisticRegression\n\n"
        "log = logging.getLogger(__name__)\n\n\ndef train(x, y):\n"
        "    return LogisticRegression().fit(x, y)\n",
    )
    write(tmp_path, "tests/test_train.py", "def test_train():\n    assert True\n")
    write(tmp_path, "requirements.txt", "scikit-learn==1.5.0\npandas==2.2.0\n")
    write(
        tmp_path,
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pytest\n",
    )
    report = assess_repo(tmp_path)
    assert dim(report, "delivery").level >= 1  # the engineering practice is still shown
    assert report.overall.level == 0
    assert report.overall.genai is None
    assert "no GenAI practice" in (report.overall.capped_by or "")


def test_not_applicable_dimension_is_never_a_zero(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    for rel in ("src/app/search.py", "src/app/ingest.py", "dataops", "data/docs"):
        target = root / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    mk = root / "mk/data.mk"
    mk.unlink()
    (root / ".github/workflows/refresh-index.yml").unlink()
    settings = root / "src/app/settings.py"
    settings.unlink()
    report = assess_repo(root)
    data = dim(report, "data")
    assert not data.applicable and data.level == 0
    assert report.overall.level == 4
    assert "data" not in report.overall.weakest


def test_strong_dimensions_cannot_hide_a_missing_one(tmp_path: Path) -> None:
    report = assess_repo(build(tmp_path / "r", {"infra": 0}))
    assert dim(report, "infra").level == 0
    assert all(d.level == 4 for d in report.dimensions if d.dimension.id != "infra")
    assert report.overall.level == 1
    assert report.overall.weakest == ["infra"]


def test_a_single_missing_initial_probe_does_not_hide_defined_evidence(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    ci = root / ".github/workflows/ci.yml"
    text = ci.read_text()
    start = text.index("  test:\n")
    ci.write_text(text[:start] + text[text.index("  lint:\n") :])
    delivery = dim(assess_repo(root), "delivery")
    assert delivery.level == 2, delivery.reason  # deploys as code; Managed needs the tests
    assert [r.definition.id for r in delivery.gaps] == ["delivery.ci_tests"]


@pytest.mark.parametrize(
    ("rel", "body"),
    [
        ("backend/llm.py", 'import boto3\n\nclient = boto3.client("bedrock-runtime")\n'),
        (
            "api/Api.csproj",
            '<Project>\n  <ItemGroup>\n    <PackageReference Include="Microsoft.SemanticKernel"'
            ' Version="1.0" />\n  </ItemGroup>\n</Project>\n',
        ),
        ("template/src/{% if llm %}client.py{% endif %}.jinja", "from openai import OpenAI\n"),
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["langchain-openai>=0.2"]\n'),
        ("web/src/chat.ts", 'import OpenAI from "openai";\n'),
    ],
)
def test_genai_practice_is_found_in_any_language(tmp_path: Path, rel: str, body: str) -> None:
    write(tmp_path, rel, body)
    report = assess_repo(tmp_path)
    assert report.overall.genai is not None and rel in report.overall.genai
    assert report.overall.level == 1
