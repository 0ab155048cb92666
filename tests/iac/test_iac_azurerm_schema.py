"""Every azurerm resource type and argument the rendered Terraform uses exists in the provider's
own schema at the pinned version (no terraform init/validate here: no provider registry).

The schema subset is committed (azurerm_schema.json, with its provenance: tag, commit, source
files); when the mirror of hashicorp/terraform-provider-azurerm is present (the `fetch` tool's
/work/.mirror/...) the test also re-extracts a few types from the source and compares.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import azurerm_schema
from iac_matrix import FULL_MATRIX, parse_iac, render_contract_matrix

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE / "azurerm_schema.json").read_text())
MIRROR = Path(
    os.environ.get(
        "GENAIOPS_AZURERM_MIRROR", "/work/.mirror/hashicorp+terraform-provider-azurerm/repo"
    )
)
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "dynamic"}
TERRAFORM = [n for n, a in FULL_MATRIX.items() if a["iac"] == "terraform"]
pytestmark = pytest.mark.slow


def unknown_arguments(rtype: str, config: dict[str, Any]) -> list[str]:
    schema = SCHEMA["resources"].get(rtype)
    if schema is None:
        return [f"{rtype} (resource type not in the provider)"]
    problems: list[str] = []

    def walk(path: str, block: dict[str, Any], known: dict[str, Any]) -> None:
        for key, value in block.items():
            if key.startswith("__") or key in META:
                continue
            if key not in known:
                problems.append(f"{rtype}.{path}{key}")
                continue
            children = known[key]
            if isinstance(children, dict) and children and isinstance(value, list):
                for item in value:  # a block: python-hcl2 gives a list of dicts
                    if isinstance(item, dict):
                        walk(f"{path}{key}.", item, children)

    walk("", config, schema)
    return problems


@pytest.fixture(scope="module")
def terraform(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, checkov_bin: str
) -> dict[str, Any]:
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "contract-matrix"
    repos = render_contract_matrix(shared, repo_root)
    dirs = [repos[name] / "infra" for name in TERRAFORM]
    parsed = parse_iac(checkov_bin, dirs)
    return {name: parsed[str(repos[name] / "infra")] for name in TERRAFORM}


@pytest.mark.parametrize("name", TERRAFORM)
def test_every_resource_and_argument_exists_in_the_pinned_provider(
    terraform: dict[str, Any], name: str, repo_root: Path
) -> None:
    problems = []
    for resource in terraform[name]["resources"]:
        if resource["type"].startswith("azurerm_"):
            problems += unknown_arguments(resource["type"], resource["config"])
    assert problems == [], problems
    # the schema was read at the version the IaC pins (~> 4.81: 4.81.0 is also the newest 4.x)
    versions = (repo_root / "iac" / "terraform" / "versions.tf").read_text()
    pinned = re.search(
        r'source\s*=\s*"hashicorp/azurerm"\s*\n\s*version\s*=\s*"~> ([\d.]+)"', versions
    )
    assert pinned and SCHEMA["provenance"]["tag"] == f"v{pinned.group(1)}.0"


def test_the_check_catches_what_the_first_round_shipped() -> None:
    """Calibration: the APIM pool block and the missing url that azurerm does not have."""
    bad = {"name": ["openai-pool"], "pool": [{"service": [{"id": ["x"]}]}]}
    assert unknown_arguments("azurerm_api_management_backend", bad) == [
        "azurerm_api_management_backend.pool"
    ]
    nested = {"circuit_breaker_rule": [{"name": ["b"], "trip_after": ["PT1M"]}]}
    assert unknown_arguments("azurerm_api_management_backend", nested) == [
        "azurerm_api_management_backend.circuit_breaker_rule.trip_after"
    ]
    assert unknown_arguments("azurerm_no_such_thing", {}) != []


@pytest.mark.skipif(not MIRROR.is_dir(), reason="no mirror of terraform-provider-azurerm here")
def test_the_committed_schema_matches_the_provider_source() -> None:
    tag = SCHEMA["provenance"]["tag"]
    # the budget: a data source of the same name is registered too, and the typed resource's
    # arguments extend a shared base (consumption_budget_base.go)
    budget = "azurerm_consumption_budget_resource_group"
    sample = ["azurerm_api_management_backend", "azurerm_federated_identity_credential", budget]
    fresh = azurerm_schema.extract(MIRROR, tag, sample)
    assert fresh["provenance"]["commit"] == SCHEMA["provenance"]["commit"]
    for rtype in sample:
        assert fresh["resources"][rtype] == SCHEMA["resources"][rtype], rtype
        assert fresh["provenance"]["files"][rtype] == SCHEMA["provenance"]["files"][rtype]
    assert "data_source" not in fresh["provenance"]["files"][budget]
    assert "etag" in fresh["resources"][budget]  # the resource's own argument, from the base
