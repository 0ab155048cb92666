"""Secrets: found by what they are (not names or placeholders), never printed in any format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from assess_builder import build, write
from conftest import probe_status

from generator.assess.report import jsonout, markdown, sarif, text
from generator.assess.run import assess_repo

KEY = "sk-proj-" + "Zq7Wx2" * 6  # shaped like a key, random enough, invented here
STORAGE = "AccountKey=" + "Qm9vYmFyYmF6cXV4" * 4 + "=="


def _all_outputs(root: Path) -> str:
    report = assess_repo(root)
    return "\n".join(
        (
            text.render([report], verbose=True),
            jsonout.render([report]),
            markdown.render([report]),
            sarif.render([report]),
        )
    )


@pytest.mark.parametrize(
    ("rel", "body", "secret"),
    [
        ("src/app/config.py", f'OPENAI_API_KEY = "{KEY}"\n', KEY),
        ("infra/app.bicep", f"var conn = 'DefaultEndpointsProtocol=https;{STORAGE}'\n", STORAGE),
        (".env", f"APP_LOCATION=global\nAPI_KEY={KEY}\n", KEY),
    ],
)
def test_secret_is_reported_by_kind_line_and_fingerprint_never_by_value(
    tmp_path: Path, rel: str, body: str, secret: str
) -> None:
    root = build(tmp_path / "r")
    write(root, rel, body)
    report = assess_repo(root)
    assert probe_status(report, "safety.no_secrets") == "fail"
    finding = next(
        f
        for d in report.dimensions
        for r in d.probes
        for f in r.findings
        if f.probe == "safety.no_secrets" and f.outcome == "fail"
    )
    assert finding.path == rel and finding.line is not None
    cited = (root / rel).read_text().splitlines()[finding.line - 1]
    value = secret.removeprefix("AccountKey=")
    assert value in cited  # the cited line is the one holding the secret
    assert value[-4:] in finding.message and "sha256:" in finding.message
    out = _all_outputs(root)
    for i in range(0, len(value) - 12):
        assert value[i : i + 12] not in out  # no 12 characters of it in any format


@pytest.mark.parametrize(
    "body",
    [
        'AZURE_SEARCH_KEY = "to_replace_with_your_search_admin_key"\n',
        'API_KEY = "<your-key>"\n',
        'key_name = "AZURE_SEARCH_ADMIN_KEY_SECRET_NAME"\n',  # an environment variable NAME
        'token = os.environ["GITHUB_TOKEN_FOR_RELEASES_AND_TAGS"]\n',
    ],
)
def test_placeholders_and_variable_names_are_not_secrets(tmp_path: Path, body: str) -> None:
    root = build(tmp_path / "r")
    write(root, "src/app/settings_extra.py", body)
    assert probe_status(assess_repo(root), "safety.no_secrets") == "pass"


def test_harmless_env_values_are_not_secrets(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(
        root,
        ".env",
        "AZURE_LOCATION=global\nAPP_ENDPOINT=http://localhost:8000\n"
        "AZURE_OPENAI_API_KEY=\nSEARCH_KEY=<your key>\nSECRET_REF=${KEYVAULT_SECRET}\n",
    )
    assert probe_status(assess_repo(root), "safety.no_secrets") == "pass"


def test_custom_probe_snippet_is_redacted(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    write(root, "docs/setup.md", f"## Intended use\n\nexport OPENAI_API_KEY='{KEY}'\n")
    write(
        root,
        ".genaiops/assess.yml",
        "custom_probes:\n  - id: custom.setup\n    dimension: safety\n    level: 2\n"
        "    question: Is setup documented?\n    remediation: Write docs/setup.md.\n"
        "    check:\n      file_contains: {path: 'docs/*.md', pattern: 'OPENAI_API_KEY'}\n",
    )
    out = _all_outputs(root)
    assert "custom.setup" in out
    assert KEY[8:20] not in out
    json.loads(jsonout.render([assess_repo(root)]))
