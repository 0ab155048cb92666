"""The contract across the layers, for every iac x iac_profile x gateway x use_case rendering.

- settings <-> IaC: the APP_* variables each flavour sets on the container app are exactly the
  ones the generated app's own Settings class needs for its Azure profile (deploy/contract.py),
  wired to the resources the IaC creates, and the app's validation accepts them;
- permissions: each identity gets exactly the roles of the permission table, at its scope;
- ports, probes, image: the first real revision is healthy, re-provisioning keeps image and traffic;
- identities, outputs and GitHub variables: the names the workflows read exist.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contract_facts as facts
from iac_matrix import FULL_MATRIX, parse_iac, render_contract_matrix

pytestmark = pytest.mark.slow

FULL = FULL_MATRIX

# Which resource each wired value must come from: (Bicep tokens, Terraform tokens), all of which
# must appear in the value's expression. None: a literal (checked against the profile instead).
WIRING: dict[str, tuple[tuple[str, ...], tuple[str, ...]] | None] = {
    # the gateway's URL with gateway=apim, Azure OpenAI's otherwise (checked in the test)
    "APP_AZURE_OPENAI_ENDPOINT": (("outputs",), ("local.openai_endpoint_for_app",)),
    "APP_AZURE_OPENAI_CHAT_DEPLOYMENT": (
        ("openai", "chatDeploymentName"),
        ("azurerm_cognitive_deployment.chat.name",),
    ),
    "APP_AZURE_OPENAI_EMBEDDING_DEPLOYMENT": (
        ("openai", "embeddingDeploymentName"),
        ("azurerm_cognitive_deployment.embedding.name",),
    ),
    "APP_AZURE_SEARCH_ENDPOINT": (("search", "endpoint"), ("azurerm_search_service.main.name",)),
    "APP_ENTRA_TENANT_ID": (("tenant",), ("data.azurerm_client_config.current.tenant_id",)),
    "APP_ENTRA_AUDIENCE": (("apiAudience",), ("var.api_audience",)),
    "APP_ENTRA_ALLOWED_CLIENT_IDS": (
        ("deployClientId", "monitorClientId", "apiCallerClientIds"),
        ("deploy.client_id", "monitor.client_id", "var.api_caller_client_ids"),
    ),
    "APP_CONTENT_SAFETY_ENDPOINT": (
        ("contentSafety", "endpoint"),
        ("azurerm_cognitive_account.content_safety.endpoint",),
    ),
    "APP_AZURE_TABLES_ENDPOINT": (
        ("storage", "tableEndpoint"),
        ("azurerm_storage_account.main.primary_table_endpoint",),
    ),
    "APP_RATE_LIMIT_PER_MINUTE": (("appRateLimitPerMinute",), ("var.app_rate_limit_per_minute",)),
    "AZURE_CLIENT_ID": (("appClientId",), ("azurerm_user_assigned_identity.app.client_id",)),
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": (
        ("Authorization=AAD;ClientId=", "appClientId"),
        ("Authorization=AAD;ClientId=", "azurerm_user_assigned_identity.app.client_id"),
    ),
    "OTEL_RESOURCE_ATTRIBUTES": (("environmentName",), ("var.environment_name",)),
    "APPLICATIONINSIGHTS_CONNECTION_STRING": (
        ("monitoring", "appInsightsConnectionString"),
        ("azurerm_application_insights.main.connection_string",),
    ),
}


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, checkov_bin: str
) -> dict[str, dict[str, Any]]:
    """name -> {"repo", "answers", "parsed"} for the whole matrix (one parser process)."""
    base = tmp_path_factory.getbasetemp()
    # xdist workers have their own basetemp under the session's: share the session's
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "contract-matrix"
    repos = render_contract_matrix(shared, repo_root)
    parsed = parse_iac(checkov_bin, [repo / "infra" for repo in repos.values()])
    return {
        name: {"repo": repo, "answers": FULL[name], "parsed": parsed[str(repo / "infra")]}
        for name, repo in repos.items()
    }


def app_env(case: dict[str, Any]) -> dict[str, Any]:
    parsed = case["parsed"]
    if case["answers"]["iac"] == "bicep":
        return facts.bicep_app_env(parsed)
    return facts.terraform_app_env(parsed)


def wiring_ok(case: dict[str, Any], name: str, value: Any) -> bool:
    expected = WIRING[name]
    assert expected is not None
    bicep, terraform = expected
    tokens = bicep if case["answers"]["iac"] == "bicep" else terraform
    shown = facts.text(value)
    return all(token in shown for token in tokens)


@pytest.mark.parametrize("name", list(FULL))
def test_app_settings_set_by_the_iac_are_exactly_what_the_settings_class_needs(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    answers = case["answers"]
    repo = case["repo"]
    contract = facts.load_contract(repo)
    settings_cls = facts.load_settings_class(repo)
    profile = contract.azure_profile(answers["use_case"], answers["gateway"])
    unknown = set(profile) - set(settings_cls.model_fields)
    assert not unknown, f"the Azure profile names settings the app does not have: {unknown}"
    needed = facts.required_fields(settings_cls, profile) | set(contract.wired(answers["use_case"]))

    env = app_env(case)
    set_fields: dict[str, str] = {}
    extra = []
    for variable in env:
        field = facts.field_of(settings_cls, variable)
        if field is None:
            extra.append(variable)
        else:
            assert field not in set_fields, f"{field} set twice ({set_fields[field]}, {variable})"
            set_fields[field] = variable
    assert sorted(extra) == sorted(contract.PLATFORM_ENV), "variables that are no app setting"
    assert set(set_fields) == needed, {
        "missing": sorted(needed - set(set_fields)),
        "not needed": sorted(set(set_fields) - needed),
    }


@pytest.mark.parametrize("name", list(FULL))
def test_the_deployed_app_validates_with_what_the_iac_sets_and_runs_the_azure_profile(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    answers = case["answers"]
    contract = facts.load_contract(case["repo"])
    settings_cls = facts.load_settings_class(case["repo"])
    profile = contract.azure_profile(answers["use_case"], answers["gateway"])
    env: dict[str, str] = {}
    for variable, value in app_env(case).items():
        field = facts.field_of(settings_cls, variable)
        if facts.is_literal(answers["iac"], value, case["parsed"]):
            env[variable] = value
            if field in profile and field != "rate_limit_per_minute":
                assert value == profile[field], (variable, value)
        else:
            assert variable in WIRING, f"{variable} is computed but its source is not checked"
            assert wiring_ok(case, variable, value), (variable, facts.text(value)[:300])
            stand_in = facts.placeholder(settings_cls, field) if field else "x"
            env[variable] = stand_in or "x"
    settings = facts.build(settings_cls, env)  # raises if the app would refuse to start
    for field, value in profile.items():
        assert str(getattr(settings, field)) == value, field
    # callers need the API's app role (defined and assigned by deploy/azure_setup.py)
    assert settings.entra_required_roles == [contract.API_APP_ROLE]
    assert not settings.entra_required_scopes
    # gateway: the app calls the gateway, never Azure OpenAI directly
    if answers["iac"] == "bicep":
        endpoint = facts.text(app_env(case)["APP_AZURE_OPENAI_ENDPOINT"])
        behind = '"gateway"'
    else:
        endpoint = facts.text(facts.hcl(case["parsed"]["locals"])["openai_endpoint_for_app"])
        behind = "azurerm_api_management.gateway"
    assert (behind in endpoint) is (answers["gateway"] == "apim"), endpoint


@pytest.mark.parametrize("name", list(FULL))
def test_each_identity_gets_exactly_the_roles_of_the_permission_table(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    answers = case["answers"]
    contract = facts.load_contract(case["repo"])
    if answers["iac"] == "bicep":
        granted = facts.bicep_grants(case["parsed"])
    else:
        granted = facts.terraform_grants(case["parsed"])
    expected = contract.grants(answers["use_case"], answers["gateway"], answers["iac_profile"])
    assert granted == expected, {
        "missing": sorted(expected - granted),
        "broader than the table": sorted(granted - expected),
    }
    # the role ids the table names are the built-in ones (checked against an independent copy)
    for role, guid in facts._role_ids().items():
        assert contract.ROLE_IDS[role] == guid, role
    assert not {r for _, r, _ in granted} & {"Owner", "Contributor", "User Access Administrator"}


@pytest.mark.parametrize("name", list(FULL))
def test_identities_credentials_outputs_and_variables_line_up(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    answers = case["answers"]
    parsed = case["parsed"]
    contract = facts.load_contract(case["repo"])
    use_case = answers["use_case"]
    subjects: dict[str, str] = {}
    for resource in parsed["resources"]:
        config = resource["config"]
        if resource["type"] == "azurerm_federated_identity_credential":
            config = facts.hcl(config)
            identity = config["user_assigned_identity_id"].split("identity.")[1].split(".")[0]
            subjects[identity] = config["subject"].split(":", 2)[2]
        elif resource["type"].endswith("/federatedIdentityCredentials"):
            identity = config["parent"]
            subject = config["properties"]["subject"]
            subjects[identity] = subject.split("}:", 1)[1]
    expected = {i.name: i.subject for i in contract.github_identities(use_case)}
    assert subjects == expected
    assert set(parsed["outputs"]) >= contract.outputs(use_case)
    assert not {"AZURE_SEARCH_NAME", "AZURE_SEARCH_ENDPOINT"} & set(parsed["outputs"]) or (
        contract.uses_search(use_case)
    )
    searches = [r for r in parsed["resources"] if "search" in r["type"].lower()]
    assert bool(searches) is contract.uses_search(use_case)  # classification: no Search


def _bicep_var(parsed: dict[str, Any], file: str, name: str) -> Any:
    return parsed["variables"][file][name]


@pytest.mark.parametrize("name", list(FULL))
def test_first_revision_is_healthy_and_reprovisioning_keeps_image_and_traffic(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    parsed = case["parsed"]
    contract = facts.load_contract(case["repo"])
    if case["answers"]["iac"] == "bicep":
        app = next(
            r
            for r in parsed["resources"]
            if r["type"] == "Microsoft.App/containerApps" and not r["existing"]
        )
        config = app["config"]
        ingress = config["properties"]["configuration"]["ingress"]
        variables = parsed["variables"]["modules/app.bicep"]
        assert variables[ingress["targetPort"]] == contract.APP_PORT  # not "80 until deployed"
        container = config["properties"]["template"]["containers"][0]
        for probe in container["probes"]:
            assert variables[probe["httpGet"]["port"]] == contract.APP_PORT
            assert variables[probe["httpGet"]["path"]] == contract.HEALTH_PATH
        # a re-provision reads the live app: its image and its traffic split
        assert "state" in facts.text(variables["liveImage"])
        assert "state" in facts.text(ingress["traffic"]) and "appExists" in facts.text(
            ingress["traffic"]
        )
        main = next(m for m in parsed["modules"] if m["name"] == "app")
        assert main["config"]["params"]["appExists"] == "appExists"
        # the documented `az deployment sub create` path: env files default to "the app exists"
        for env in ("env/dev.bicepparam", "env/prod.bicepparam"):
            text = (case["repo"] / "infra" / env).read_text()
            assert "readEnvironmentVariable('SERVICE_API_RESOURCE_EXISTS', 'true')" in text, env
    else:
        app = next(r for r in parsed["resources"] if r["type"] == "azurerm_container_app")
        config = facts.hcl(app["config"])
        local = facts.hcl(parsed["locals"])
        assert local["app_port"] == contract.APP_PORT
        assert config["ingress"]["target_port"] == "${local.app_port}"
        container = config["template"]["container"]
        for probe in ("startup_probe", "liveness_probe", "readiness_probe"):
            assert container[probe]["port"] == "${local.app_port}"
            assert container[probe]["path"] == "${local.health_path}"
        assert local["health_path"] == contract.HEALTH_PATH
        ignored = facts.text(config["lifecycle"]["ignore_changes"])
        assert "traffic_weight" in ignored and "container[0].image" in ignored


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
@pytest.mark.parametrize("name", [n for n, a in FULL.items() if a["iac"] == "terraform"])
def test_every_terraform_rendering_is_formatted(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    """Jinja conditionals must not break terraform fmt's alignment in any combination."""
    proc = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff"],
        cwd=rendered[name]["repo"] / "infra",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
