"""The pipelines validate against the published Azure Pipelines schema, with the validator the
Azure Pipelines editor uses, and that validator is not blind: broken copies of our own
pipelines are reported (expected findings written before running it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "pipelines"

# (file, original text, broken text, words the finding must contain)
MUTATIONS = [
    (
        "templates/azure-make.azure-pipelines.yml",
        "      azureSubscription: ",
        "      azureSubscriptionn: ",
        ["azureSubscription"],
    ),
    (
        "templates/deploy-stage.azure-pipelines.yml",
        "            deploy:\n",
        "            deploi:\n",
        ["deploi"],
    ),
    ("ci.azure-pipelines.yml", "    steps:\n", "    stepz:\n", ["stepz"]),
    (
        "ci.azure-pipelines.yml",
        "task: PublishTestResults@2",
        "task: PublishTestResult@2",
        ["Value is not accepted"],
    ),
    (
        "monitor.azure-pipelines.yml",
        "schedules:\n  - cron:",
        "schedules:\n  - crontab:",
        ["crontab"],
    ),
]


@pytest.fixture(scope="module")
def findings(validate_pipelines, tmp_path_factory):
    """One run of the validator over the sources and every broken copy (node starts once)."""
    work = tmp_path_factory.mktemp("broken")
    files = sorted(SOURCES.rglob("*.yml"))
    for index, (name, old, new, _) in enumerate(MUTATIONS):
        source = (SOURCES / name).read_text()
        assert old in source, f"{name} no longer contains {old!r}: update the mutation"
        broken = work / f"{index}-{Path(name).name}"
        broken.write_text(source.replace(old, new, 1))
        files.append(broken)
    return validate_pipelines(files)


def test_every_source_pipeline_and_template_is_valid(findings):
    sources = {str(f) for f in SOURCES.rglob("*.yml")}
    assert len(sources) == 13
    assert {f: d for f, d in findings.items() if f in sources and d} == {}


@pytest.mark.parametrize("index", range(len(MUTATIONS)), ids=[m[2].strip() for m in MUTATIONS])
def test_a_broken_pipeline_is_reported(findings, index):
    name, _, _, words = MUTATIONS[index]
    diagnostics = next(
        d for f, d in findings.items() if Path(f).name == f"{index}-{Path(name).name}"
    )
    messages = " | ".join(str(d["message"]) for d in diagnostics)
    assert diagnostics and all(w in messages for w in words), messages
