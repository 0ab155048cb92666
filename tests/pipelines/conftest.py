"""Fixtures of the Azure Pipelines tests: the editor's validator and the rendered variants.

Schema validation runs the Azure Pipelines language service (npm ``azure-pipelines-language
-service``, the validator of the Azure Pipelines editor) against the published schema
(``service-schema.json`` of microsoft/azure-pipelines-vscode, which that npm package does not
ship; ``check-jsonschema`` on PyPI vendors it with its sha256). ``.ci/run`` installs both into
``.cache/azure-pipelines``; elsewhere the tests that need them skip, in CI they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / ".cache" / "azure-pipelines"
VALIDATOR = Path(__file__).resolve().parent / "azp_validate.js"
SCHEMA_IN_PACKAGE = Path("check_jsonschema/builtin_schemas/vendor")

Validate = Callable[[list[Path]], dict[str, list[dict[str, object]]]]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must have it: see the Azure Pipelines block of .ci/run)")
    pytest.skip(f"{what}; run the Azure Pipelines block of .ci/run to install it")


@pytest.fixture(scope="session")
def pipeline_schema() -> Path:
    """service-schema.json as check-jsonschema vendors it, checked against its sha256."""
    root = Path(os.environ.get("GENAIOPS_AZP_SCHEMA_PACKAGE", CACHE / "py"))
    schema = root / SCHEMA_IN_PACKAGE / "azure-pipelines.json"
    if not schema.is_file():
        _missing(f"no Azure Pipelines schema at {schema}")
    expected = (root / SCHEMA_IN_PACKAGE / "sha256" / "azure-pipelines.sha256").read_text()
    assert hashlib.sha256(schema.read_bytes()).hexdigest() == expected.strip()
    return schema


@pytest.fixture(scope="session")
def validate_pipelines(pipeline_schema: Path) -> Validate:
    """file -> diagnostics of the Azure Pipelines language service (empty when valid)."""
    modules = Path(os.environ.get("GENAIOPS_AZP_NODE_MODULES", CACHE / "node_modules"))
    node = shutil.which("node")
    if node is None:
        _missing("node is not on PATH")
    if not (modules / "azure-pipelines-language-service" / "package.json").is_file():
        _missing(f"no azure-pipelines-language-service in {modules}")

    def run(files: list[Path]) -> dict[str, list[dict[str, object]]]:
        proc = subprocess.run(
            [str(node), str(VALIDATOR), str(pipeline_schema), *map(str, files)],
            env={**os.environ, "NODE_PATH": str(modules)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        results = {}
        for line in proc.stdout.splitlines():
            if line.startswith("AZP "):
                record = json.loads(line[4:])
                results[record["file"]] = record["diagnostics"]
        assert set(results) == {str(f) for f in files}, proc.stdout[-2000:]
        return results

    return run
