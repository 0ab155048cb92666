"""Security settings read from the generated IaC itself (parsed with pycep / python-hcl2), so a
regression is caught even if checkov's rules change or stop firing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from iac_matrix import MATRIX, parse_iac

pytestmark = pytest.mark.slow

PRIVATE_SERVICES = {"account", "searchService", "vault", "blob", "table", "registry"}


@pytest.fixture(scope="module")
def parsed(iac_repos: dict[str, Path], checkov_bin: str) -> dict[str, dict[str, Any]]:
    dirs = {name: repo / "infra" for name, repo in iac_repos.items()}
    result = parse_iac(checkov_bin, list(dirs.values()))
    return {name: result[str(infra)] for name, infra in dirs.items()}


def one(resources: list[dict[str, Any]], rtype: str, name: str | None = None) -> dict[str, Any]:
    found = [
        r["config"]
        for r in resources
        if r["type"] == rtype and not r["existing"] and name in (None, r["name"])
    ]
    assert len(found) == 1, (rtype, len(found))
    return found[0]


def hcl(config: dict[str, Any], *path: str) -> Any:
    """Follow a path through python-hcl2's output, where every value and block is a list."""
    value: Any = config
    for key in path:
        value = value[key]
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
    return value


BICEP = [n for n, a in MATRIX.items() if a["iac"] == "bicep"]
TERRAFORM = [n for n, a in MATRIX.items() if a["iac"] == "terraform"]


@pytest.mark.parametrize("name", BICEP)
def test_bicep_security_settings(parsed: dict[str, dict[str, Any]], name: str) -> None:
    prod = MATRIX[name]["iac_profile"] == "prod"
    resources = parsed[name]["resources"]

    openai = next(
        r["config"]
        for r in resources
        if r["type"] == "Microsoft.CognitiveServices/accounts"
        and r["file"].endswith("openai.bicep")
    )
    safety = next(
        r["config"]
        for r in resources
        if r["type"] == "Microsoft.CognitiveServices/accounts"
        and r["file"].endswith("safety.bicep")
    )
    assert safety["kind"] == "ContentSafety" and safety["properties"]["disableLocalAuth"] is True
    assert (safety["properties"]["publicNetworkAccess"] == "Disabled") is prod
    assert openai["properties"]["disableLocalAuth"] is True
    assert openai["identity"]["type"] == "SystemAssigned"
    assert openai["properties"]["restrictOutboundNetworkAccess"] is True
    assert (openai["properties"]["publicNetworkAccess"] == "Disabled") is prod
    for deployment in (
        r["config"]
        for r in resources
        if r["type"] == "Microsoft.CognitiveServices/accounts/deployments"
    ):
        assert deployment["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
        assert set(deployment["properties"]["model"]) == {"format", "name", "version"}
        assert "capacity" in deployment["sku"]

    search = one(resources, "Microsoft.Search/searchServices")
    assert search["properties"]["disableLocalAuth"] is True
    assert search["identity"]["type"] == "SystemAssigned"
    assert (search["properties"]["replicaCount"] >= 3) is prod
    assert (search["properties"]["publicNetworkAccess"] == "disabled") is prod

    vault = one(resources, "Microsoft.KeyVault/vaults")["properties"]
    assert vault["enableRbacAuthorization"] is True
    assert vault.get("enablePurgeProtection", False) is prod  # dev: down/up cycles can purge
    assert vault["enableSoftDelete"] is True
    assert (vault["publicNetworkAccess"] == "Disabled") is prod

    storage = one(resources, "Microsoft.Storage/storageAccounts")["properties"]
    assert storage["allowSharedKeyAccess"] is False
    assert storage["allowBlobPublicAccess"] is False
    assert storage["minimumTlsVersion"] == "TLS1_2"
    assert (storage["publicNetworkAccess"] == "Disabled") is prod

    registry = one(resources, "Microsoft.ContainerRegistry/registries")
    assert registry["properties"]["adminUserEnabled"] is False
    assert registry["properties"]["anonymousPullEnabled"] is False
    assert (registry["sku"]["name"] == "Premium") is prod

    insights = one(resources, "Microsoft.Insights/components")["properties"]
    assert insights["DisableLocalAuth"] is True
    assert insights["IngestionMode"] == "LogAnalytics"
    workspace = one(resources, "Microsoft.OperationalInsights/workspaces")["properties"]
    assert workspace["features"]["disableLocalAuth"] is True

    app = one(resources, "Microsoft.App/containerApps")
    assert app["identity"]["type"] == "UserAssigned"
    configuration = app["properties"]["configuration"]
    assert configuration["activeRevisionsMode"] == "Multiple"
    assert configuration["ingress"]["allowInsecure"] is False
    assert configuration["registries"][0]["identity"] == "identityId"  # pulls with the identity
    probes = {p["type"] for p in app["properties"]["template"]["containers"][0]["probes"]}
    assert probes == {"Startup", "Liveness", "Readiness"}
    environment = one(resources, "Microsoft.App/managedEnvironments")["properties"]
    assert ("vnetConfiguration" in environment) is prod

    credentials = {
        r["name"]: r["config"]["properties"]
        for r in resources
        if r["type"]
        == "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
    }
    assert credentials["deployCredential"]["subject"] == "repo:${githubRepository}:environment:prod"
    assert all(c["issuer"] == "issuer" for c in credentials.values())  # the GitHub issuer variable
    assert all("password" not in str(c).lower() for c in credentials.values())

    # who gets which role: test_iac_contract.py; never Owner anywhere
    assert "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" not in str(parsed[name]["variables"])

    endpoints = [m for m in parsed[name]["modules"] if m["name"] == "privateEndpoints"]
    assert bool(endpoints) is prod
    if prod:
        assert endpoints[0]["file"] == "main.bicep"
        groups = {
            r["config"]["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"][
                0
            ]
            for r in resources
            if r["type"] == "Microsoft.Network/privateEndpoints"
        }
        assert groups == {"groupId"}  # one generic endpoint module, fed per service from main.bicep


@pytest.mark.parametrize("name", BICEP)
def test_bicep_private_endpoints_cover_every_data_service(
    iac_repos: dict[str, Path], name: str
) -> None:
    main = (iac_repos[name] / "infra" / "main.bicep").read_text()
    declared = {group for group in PRIVATE_SERVICES if f"groupId: '{group}'" in main}
    expected = PRIVATE_SERVICES if MATRIX[name]["iac_profile"] == "prod" else set()
    assert declared == expected


@pytest.mark.parametrize("name", TERRAFORM)
def test_terraform_security_settings(parsed: dict[str, dict[str, Any]], name: str) -> None:
    prod = MATRIX[name]["iac_profile"] == "prod"
    resources = parsed[name]["resources"]

    openai = one(resources, "azurerm_cognitive_account", "openai")
    safety = one(resources, "azurerm_cognitive_account", "content_safety")
    assert hcl(safety, "kind") == "ContentSafety" and hcl(safety, "local_auth_enabled") is False
    assert hcl(safety, "public_network_access_enabled") is (not prod)
    assert hcl(openai, "local_auth_enabled") is False
    assert hcl(openai, "identity", "type") == "SystemAssigned"
    assert hcl(openai, "outbound_network_access_restricted") is True
    assert hcl(openai, "public_network_access_enabled") is (not prod)
    for deployment in (
        r["config"] for r in resources if r["type"] == "azurerm_cognitive_deployment"
    ):
        assert hcl(deployment, "version_upgrade_option") == "NoAutoUpgrade"
        assert hcl(deployment, "model", "version").startswith("${var.")

    search = one(resources, "azurerm_search_service")
    assert hcl(search, "local_authentication_enabled") is False
    assert hcl(search, "identity", "type") == "SystemAssigned"
    assert (hcl(search, "replica_count") >= 3) is prod

    vault = one(resources, "azurerm_key_vault")
    assert hcl(vault, "rbac_authorization_enabled") is True
    assert hcl(vault, "purge_protection_enabled") is prod  # dev: down/up cycles can purge
    assert hcl(vault, "public_network_access_enabled") is (not prod)

    storage = one(resources, "azurerm_storage_account")
    assert hcl(storage, "shared_access_key_enabled") is False
    assert hcl(storage, "allow_nested_items_to_be_public") is False
    assert hcl(storage, "min_tls_version") == "TLS1_2"
    assert hcl(storage, "public_network_access_enabled") is (not prod)

    registry = one(resources, "azurerm_container_registry")
    assert hcl(registry, "admin_enabled") is False
    assert hcl(registry, "anonymous_pull_enabled") is False

    assert (
        hcl(one(resources, "azurerm_application_insights"), "local_authentication_enabled") is False
    )
    assert (
        hcl(one(resources, "azurerm_log_analytics_workspace"), "local_authentication_enabled")
        is False
    )

    app = one(resources, "azurerm_container_app")
    assert hcl(app, "revision_mode") == "Multiple"
    assert hcl(app, "identity", "type") == "UserAssigned"
    assert hcl(app, "ingress", "allow_insecure_connections") is False
    container = hcl(app, "template", "container")
    assert {"startup_probe", "liveness_probe", "readiness_probe"} <= set(container)
    ignored = hcl(app, "lifecycle", "ignore_changes")
    assert any("traffic_weight" in str(item) for item in ignored)  # the canary owns traffic

    subjects = {
        hcl(r["config"], "subject")
        for r in resources
        if r["type"] == "azurerm_federated_identity_credential"
    }
    assert "repo:${var.github_repository}:environment:prod" in subjects

    # who gets which role: test_iac_contract.py

    endpoints = [r for r in resources if r["type"] == "azurerm_private_endpoint"]
    assert bool(endpoints) is prod


@pytest.mark.parametrize("name", [n for n, a in MATRIX.items() if a["gateway"] == "apim"])
def test_gateway_pool_breaker_identity_and_token_policy(
    iac_repos: dict[str, Path], parsed: dict[str, dict[str, Any]], name: str
) -> None:
    resources = parsed[name]["resources"]
    policy = (iac_repos[name] / "infra" / "apim-policy.xml").read_text()
    for element in (
        "<validate-azure-ad-token",
        "<llm-token-limit",
        "<llm-emit-token-metric",
        "<authentication-managed-identity",
        'backend-id="openai-pool"',
    ):
        assert element in policy
    if MATRIX[name]["iac"] == "bicep":
        apim = one(resources, "Microsoft.ApiManagement/service")
        assert apim["identity"]["type"] == "SystemAssigned"
        backends = {
            r["name"]: r["config"]["properties"]
            for r in resources
            if r["type"] == "Microsoft.ApiManagement/service/backends"
        }
        assert backends["pool"]["type"] == "Pool"
        assert backends["openAiBackend"]["circuitBreaker"]["rules"][0]["acceptRetryAfter"] is True
        assert (
            one(resources, "Microsoft.ApiManagement/service/apis")["properties"][
                "subscriptionRequired"
            ]
            is False
        )
    else:
        apim = one(resources, "azurerm_api_management")
        assert hcl(apim, "identity", "type") == "SystemAssigned"
        backends = {
            r["name"]: r["config"]
            for r in resources
            if r["type"] == "azurerm_api_management_backend"
        }
        # azurerm's backend has no pool block and requires url: the pool is an azapi resource
        assert all("pool" not in b and "url" in b for b in backends.values())
        pool = next(r for r in resources if r["type"] == "azapi_resource" and r["name"] == "pool")
        body = hcl(pool["config"], "body")["properties"]
        assert body["type"] == "Pool"
        assert body["pool"]["services"][0]["id"] == "${azurerm_api_management_backend.openai.id}"
        assert hcl(backends["openai"], "circuit_breaker_rule", "accept_retry_after_enabled") is True
        diagnostics = [
            r for r in resources if r["type"] == "azapi_resource" and r["name"] == "diagnostics"
        ]
        assert hcl(diagnostics[0]["config"], "body")["properties"]["metrics"] is True
