"""The real checkov, offline, on every flavour x profile: 0 failed, every skip with a reason.

One checkov process per flavour scans all renderings of that flavour plus a deliberately bad
file, so the shipped custom policies are shown to fail what they must fail.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iac_matrix import (
    CUSTOM_POLICIES,
    MATRIX,
    PROD_SKIPS_ALLOWED,
    run_checkov,
    within,
)

pytestmark = pytest.mark.slow

BAD_BICEP = """\
resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-bad'
  location: 'westeurope'
  properties: {
    features: {
      disableLocalAuth: false
    }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-bad'
  location: 'westeurope'
  kind: 'web'
  properties: {
    Application_Type: 'web'
    DisableLocalAuth: false
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-bad'
  location: 'westeurope'
  properties: {
    configuration: {
      ingress: {
        external: true
        allowInsecure: true
      }
    }
  }
}
"""

BAD_TERRAFORM = """\
resource "azurerm_log_analytics_workspace" "bad" {
  name                         = "log-bad"
  location                     = "westeurope"
  resource_group_name          = "rg"
  local_authentication_enabled = true
}

resource "azurerm_application_insights" "bad" {
  name                          = "appi-bad"
  location                      = "westeurope"
  resource_group_name           = "rg"
  application_type              = "web"
  local_authentication_enabled  = true
}

resource "azurerm_container_app" "bad" {
  name                         = "ca-bad"
  container_app_environment_id = "env"
  resource_group_name          = "rg"
  revision_mode                = "Single"

  ingress {
    external_enabled           = true
    target_port                = 80
    allow_insecure_connections = true
    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    container {
      name   = "app"
      image  = "app:1"
      cpu    = 0.25
      memory = "0.5Gi"
    }
  }
}
"""


@pytest.fixture(scope="module")
def scans(
    tmp_path_factory: pytest.TempPathFactory, iac_repos: dict[str, Path], checkov_bin: str
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("iac-scan")
    repos = iac_repos
    results: dict[str, list[dict[str, Any]]] = {}
    for framework, source, suffix in (
        ("bicep", BAD_BICEP, "bicep"),
        ("terraform", BAD_TERRAFORM, "tf"),
    ):
        scan = root / f"scan-{framework}"
        names = [n for n, answers in MATRIX.items() if answers["iac"] == framework]
        for name in names:
            shutil.copytree(repos[name] / "infra", scan / name)
        (scan / "bad").mkdir()
        (scan / "bad" / f"bad.{suffix}").write_text(source)
        policies = repos[names[0]] / "infra" / "policies"
        flat = run_checkov(checkov_bin, framework, scan, policies)
        for name in names:
            results[name] = within(flat, scan / name)
        results[f"bad-{framework}"] = within(flat, scan / "bad")
    return {"repos": repos, "results": results}


def counts(results: list[dict[str, Any]]) -> dict[str, int]:
    tally = {"passed": 0, "failed": 0, "skipped": 0, "parsing_error": 0}
    for result in results:
        tally[result["outcome"]] += 1
    return tally


@pytest.mark.parametrize("name", list(MATRIX))
def test_zero_failed_and_nothing_unparsed(scans: dict[str, Any], name: str) -> None:
    results = scans["results"][name]
    tally = counts(results)
    failed = [
        (r["check_id"], r.get("resource"), r.get("file_path"))
        for r in results
        if r["outcome"] != "passed" and r["outcome"] != "skipped"
    ]
    assert failed == [], failed
    # a file checkov cannot parse would make "0 failed" vacuous, so passes must be substantial
    assert tally["passed"] >= 15, tally


@pytest.mark.parametrize("name", list(MATRIX))
def test_every_skip_carries_a_reason(scans: dict[str, Any], name: str) -> None:
    skipped = [r for r in scans["results"][name] if r["outcome"] == "skipped"]
    without = [
        r["check_id"]
        for r in skipped
        if len((r["check_result"].get("suppress_comment") or "").strip()) < 15
        or r["check_result"].get("suppress_comment") == "No comment provided"
    ]
    assert without == []


@pytest.mark.parametrize("name", list(MATRIX))
def test_skip_comments_in_the_iac_match_what_checkov_skipped(
    scans: dict[str, Any], name: str
) -> None:
    infra = scans["repos"][name] / "infra"
    written = set()
    for path in infra.rglob("*"):
        if path.suffix in (".bicep", ".tf"):
            for check_id, reason in re.findall(
                r"checkov:skip=([A-Z0-9_]+):\s*(.*)", path.read_text()
            ):
                assert len(reason.strip()) >= 15, (path.name, check_id)
                written.add(check_id)
    skipped = {r["check_id"] for r in scans["results"][name] if r["outcome"] == "skipped"}
    assert written == skipped  # no dead skip comments, no skip from anywhere else


@pytest.mark.parametrize("name", [n for n, a in MATRIX.items() if a["iac_profile"] == "prod"])
def test_prod_skips_only_the_accepted_few(scans: dict[str, Any], name: str) -> None:
    skipped = {r["check_id"] for r in scans["results"][name] if r["outcome"] == "skipped"}
    assert skipped <= PROD_SKIPS_ALLOWED, skipped - PROD_SKIPS_ALLOWED


@pytest.mark.parametrize("name", [n for n, a in MATRIX.items() if a["iac_profile"] == "dev"])
def test_dev_skips_more_than_prod(scans: dict[str, Any], name: str) -> None:
    flavour = MATRIX[name]["iac"]
    prod = next(n for n, a in MATRIX.items() if a["iac"] == flavour and a["iac_profile"] == "prod")
    dev_skips = {r["check_id"] for r in scans["results"][name] if r["outcome"] == "skipped"}
    prod_skips = {r["check_id"] for r in scans["results"][prod] if r["outcome"] == "skipped"}
    assert len(dev_skips - prod_skips) >= 5


@pytest.mark.parametrize("name", list(MATRIX))
def test_custom_policies_ran_and_passed(scans: dict[str, Any], name: str) -> None:
    passed = {r["check_id"] for r in scans["results"][name] if r["outcome"] == "passed"}
    assert passed >= CUSTOM_POLICIES


@pytest.mark.parametrize("framework", ["bicep", "terraform"])
def test_custom_policies_fail_insecure_resources(scans: dict[str, Any], framework: str) -> None:
    failed = {
        r["check_id"] for r in scans["results"][f"bad-{framework}"] if r["outcome"] == "failed"
    }
    assert failed >= CUSTOM_POLICIES
