"""The one contract between the app's settings, the infrastructure, the workflows and Azure RBAC.

Everything that must agree across layers is declared here once, as data:

- ``azure_profile``: the selector settings a deployed app runs with (the ``APP_*`` variables the
  infrastructure must set follow from them and the app's own ``Settings`` validation);
- ``IDENTITIES``: who logs in (the app at runtime, the gateway, and one identity per workflow
  duty), with the OIDC subject each GitHub job presents and the variable holding its client id;
- ``CALLS``: every Azure call the workflows, ``deploy/`` and the app make, the identity making it
  and the role it needs there, with the source of that fact; ``grants`` derives the role
  assignments from it, and the tests check that each IaC flavour grants exactly those;
- ``VARIABLES``: the GitHub variables the workflows read, each filled from one IaC output.

``docs/runbook.md`` shows the same table (``python -m deploy.contract --markdown``); a test
checks that the two agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# -- the deployed app ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def use_cases(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    """The app's use case registry (``src/<package>/use_cases.json``), read as plain data."""
    registry = next(root.glob("src/*/use_cases.json"))
    data: dict[str, dict[str, Any]] = json.loads(registry.read_text(encoding="utf-8"))
    return data


#: use cases that ground answers in the search index (classification does not): their `search`
SEARCH_USE_CASES = tuple(name for name, entry in use_cases().items() if entry["search"])

#: the tables the app keeps its state in (Azure Table Storage when deployed)
TABLES = ("feedback", "requests", "sessions")


def uses_search(use_case: str) -> bool:
    return use_case in SEARCH_USE_CASES


def azure_profile(use_case: str, gateway: str) -> dict[str, str]:
    """Settings (field name -> value) that select the Azure services of a deployed app.

    Every other setting the deployed app needs follows from these through the app's own
    validation (an endpoint for each selected service), plus ``WIRED``.
    """
    profile = {
        "provider": "azure_openai",
        "auth_mode": "entra",
        "guard": "azure_content_safety",
        "telemetry_exporter": "azure_monitor",
        "store_backend": "azure_tables",
    }
    if uses_search(use_case):
        profile["search_backend"] = "azure_ai_search"
    else:
        # no search service: queries are embedded like the index baked into the image
        profile["embedding_provider"] = "local"
    if gateway == "none":
        profile["rate_limit_per_minute"] = "60"
    return profile


def wired(use_case: str) -> tuple[str, ...]:
    """Settings the IaC sets although no validation demands them (field names)."""
    names = [
        "azure_client_id",  # which user-assigned identity DefaultAzureCredential uses
        "applicationinsights_connection_string",  # where azure_monitor sends telemetry
        "entra_allowed_client_ids",  # the callers the app accepts
        "entra_required_scopes",
        "entra_required_roles",
        # keyless Table Storage: the endpoint (the app also accepts a connection string, which
        # only Azurite in tests uses), so validation alone does not demand it
        "azure_tables_endpoint",
    ]
    if uses_search(use_case):
        names.append("azure_search_index")  # the alias index refresh switches
    return tuple(names)


#: environment variables the app container gets that are not app settings (and why)
PLATFORM_ENV = {
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Entra ingestion (local auth is off)",
    "OTEL_SERVICE_NAME": "service name in telemetry",
    "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment in telemetry",
}

#: the app container's port and health path (the first revision already uses them)
APP_PORT = 8000
HEALTH_PATH = "/health"

#: the search alias the app queries and index refresh moves
SEARCH_INDEX_ALIAS = "grounding-docs"

#: the app role a caller's token must carry (``roles`` claim; APP_ENTRA_REQUIRED_ROLES): defined
#: on the API's app registration (``make azure-entra-app``) and assigned to the identities in
#: ``APP_CALLERS`` (``make azure-entra-callers``) — a valid token alone is not a permission
API_APP_ROLE = "Workload.Invoke"
#: identities that call the deployed app (canary smoke, online eval, red team, load test)
APP_CALLERS = ("deploy", "monitor")
#: the variable holding the app's audience (Application ID URI, api://<appId>): every caller of
#: the deployed app gets a bearer token for ``<audience>/.default`` from its own OIDC login
AUDIENCE_VARIABLE = "AZURE_API_AUDIENCE"


def token_command(audience: str) -> list[str]:
    """The az call that gets a caller's bearer token for the app (deploy/app_auth.py; azure-identity's
    AzureCliCredential runs the same one for eval/app_auth.py)."""
    return ["az", "account", "get-access-token", "--resource", audience, "--output", "json"]


# -- identities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    name: str
    purpose: str
    #: OIDC subject suffix after ``repo:<owner>/<repo>:`` (empty: not a GitHub identity)
    subject: str = ""
    #: GitHub variable holding its client id (empty: not a GitHub identity)
    variable: str = ""
    #: created only for use cases with a search index
    search_only: bool = False


IDENTITIES: tuple[Identity, ...] = (
    Identity("app", "the container app at runtime"),
    Identity("alerts", "the scheduled-query alert rules (infra/): run their KQL on App Insights"),
    Identity("gateway", "API Management's system identity (gateway=apim)"),
    Identity(
        "deploy",
        "deploy.yml canary: image build, revisions, traffic, gates",
        "environment:prod",
        "AZURE_CLIENT_ID",
    ),
    Identity(
        "provision",
        "deploy.yml provision: az deployment sub create / terraform apply",
        "environment:prod",
        "AZURE_PROVISION_CLIENT_ID",
    ),
    Identity(
        "preview",
        "infra-preview.yml: what-if / terraform plan on pull requests (read only)",
        "pull_request",
        "AZURE_PREVIEW_CLIENT_ID",
    ),
    Identity(
        "eval",
        "ci.yml eval job on same-repository pull requests: calls the chat deployment",
        "pull_request",
        "AZURE_EVAL_CLIENT_ID",
    ),
    Identity(
        "monitor",
        "monitor.yml and redteam.yml on main: reads telemetry, calls the live app",
        "ref:refs/heads/main",
        "AZURE_MONITOR_CLIENT_ID",
    ),
    Identity(
        "index",
        "refresh-index.yml: builds a new search index, evaluates it, moves the alias",
        "environment:prod",
        "AZURE_INDEX_CLIENT_ID",
        search_only=True,
    ),
)


def identities(use_case: str, gateway: str) -> tuple[Identity, ...]:
    return tuple(
        i
        for i in IDENTITIES
        if (uses_search(use_case) or not i.search_only)
        and (gateway == "apim" or i.name != "gateway")
    )


def github_identities(use_case: str) -> tuple[Identity, ...]:
    return tuple(i for i in identities(use_case, "none") if i.subject)


def service_connection(identity: Identity) -> str:
    """The identity's Azure DevOps service connection (workload identity federation, no
    secret): the Azure Pipelines sign in as the same identity as the GitHub job through it,
    so the roles in ``CALLS`` hold for both (``make azure-devops-connections`` creates it)."""
    return f"genaiops-{identity.name}"


def app_callers() -> tuple[str, ...]:
    """Identities whose tokens the app accepts (besides any configured human front end)."""
    return ("deploy", "monitor")


def gateway_callers(use_case: str) -> tuple[str, ...]:
    """Identities the gateway lets call the models (validate-azure-ad-token)."""
    return ("app", "eval", "index") if uses_search(use_case) else ("app", "eval")


# -- roles and the calls that need them --------------------------------------------------------

ROLE_IDS = {
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Container Registry Tasks Contributor": "fb382eab-e894-4461-af04-94435c366c3f",
    "Container Apps Contributor": "358470bc-b998-42bd-ab17-a7e34c199c0f",
    "Container Apps Operator": "f3bd1b5c-91fa-40e7-afe7-0c11d331232c",
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "Cognitive Services OpenAI User": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    "Cognitive Services User": "a97b65f3-24c7-4388-baec-2e87135dc908",
    "Search Index Data Reader": "1407120a-92aa-4202-b7e9-c0e197c71c8f",
    "Search Index Data Contributor": "8ebe5a00-799e-43f5-93ac-243d3dce84a7",
    "Search Service Contributor": "7ca78c08-252a-4471-8644-bb5ff32d4ba0",
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
}

#: a custom role the one-time bootstrap creates: read + what-if, no write (see deploy/azure_setup.py)
WHAT_IF_ROLE = "What-if Reader"
WHAT_IF_ACTIONS = (
    "*/read",
    "Microsoft.Resources/deployments/whatIf/action",
    "Microsoft.Resources/deployments/validate/action",
)

# Sources, cited once: Learn pages (learn.microsoft.com/azure/...) and public reports.
_ACR_ROLES = "Learn: container-registry/container-registry-roles (scenarios: build with ACR Tasks)"
_ACR_POOL = "Learn: container-registry/tasks-agent-pools-permission-migration (Tasks Contributor reads pools)"
_ACA_ROLES = (
    "Learn: role-based-access-control/built-in-roles/containers (Container Apps Contributor)"
)
_ACA_JOIN = (
    "microsoft/azure-container-apps#530 (LinkedAuthorizationFailed on managedEnvironments/join/action); "
    "Container Apps Operator on the environment grants join in two public deployments (not verifiable offline)"
)
_AI_QUERY = (
    "Learn: azure-monitor/roles-permissions-security (Monitoring Reader reads and queries data)"
)
_AI_INGEST = "Learn: azure-monitor/app/azure-ad-authentication (Monitoring Metrics Publisher)"
_ALERT_QUERY = (
    "Learn: azure-monitor/alerts (log search alert rules with a managed identity: the identity "
    "needs read on the queried resource; Monitoring Reader reads and queries data)"
)
_AOAI = (
    "Learn: ai-services/openai/how-to/role-based-access-control (Cognitive Services OpenAI User)"
)
_SAFETY = "Learn: ai-services/content-safety/how-to/use-entra-id (Cognitive Services User)"
_SEARCH_READ = "Learn: search/search-security-rbac (Search Index Data Reader: query)"
_SEARCH_WRITE = (
    "Learn: search/search-security-rbac (Service Contributor: indexes and aliases; "
    "Index Data Contributor: documents)"
)
_TABLES = (
    "Learn: storage/tables/authorize-access-azure-active-directory (Storage Table Data Contributor)"
)
_PULL = "Learn: container-apps/managed-identity-image-pull (AcrPull)"
_DEPLOY = (
    "Learn: azure-resource-manager/templates/deploy-cli (write on the resources + "
    "Microsoft.Resources/deployments/*); role assignments need roleAssignments/write"
)
_WHAT_IF = (
    "Learn: azure-resource-manager/templates/deploy-what-if; --validation-level ProviderNoRbac "
    "checks read instead of write (az 2.76+); whatIf/validate actions in a custom role"
)
_APP_AUTH = (
    "the app's own check: client id in APP_ENTRA_ALLOWED_CLIENT_IDS and the app role "
    "Workload.Invoke (APP_ENTRA_REQUIRED_ROLES; make azure-entra-callers assigns it; no Azure role)"
)
_GATEWAY_AUTH = "the gateway policy: validate-azure-ad-token client-application-ids (no Azure role)"


@dataclass(frozen=True)
class Call:
    """One Azure call: what, who makes it, what it needs there, and how we know."""

    call: str
    where: str
    identity: str
    role: str  # a role in ROLE_IDS / WHAT_IF_ROLE, or "allowed caller: app|gateway"
    scope: str  # registry, container_app, environment, app_insights, openai, content_safety,
    # search, table, subscription, app, gateway
    source: str
    #: which renderings make the call: "search", "no-gateway", "gateway", "prod" (all if empty)
    when: tuple[str, ...] = ()
    #: granted by the IaC (False: by the one-time bootstrap, or not an Azure role)
    iac: bool = True


def _model_calls(identity: str, call: str, where: str) -> list[Call]:
    return [
        Call(
            call,
            where,
            identity,
            "Cognitive Services OpenAI User",
            "openai",
            _AOAI,
            ("no-gateway",),
        ),
        Call(
            call,
            where,
            identity,
            "allowed caller: gateway",
            "gateway",
            _GATEWAY_AUTH,
            ("gateway",),
            iac=False,
        ),
    ]


CALLS: tuple[Call, ...] = (
    # the app at runtime (src/)
    Call(
        "pull the image", "Container Apps (registry identity)", "app", "AcrPull", "registry", _PULL
    ),
    *_model_calls("app", "chat completions + embeddings (SDK)", "src/ providers"),
    Call(
        "query the index (SDK)",
        "src/ retrieval",
        "app",
        "Search Index Data Reader",
        "search",
        _SEARCH_READ,
        ("search",),
    ),
    Call(
        "read/write feedback, requests, sessions (SDK)",
        "src/ store",
        "app",
        "Storage Table Data Contributor",
        "table",
        _TABLES,
    ),
    Call(
        "shieldPrompt, text:analyze (REST)",
        "src/ guardrails",
        "app",
        "Cognitive Services User",
        "content_safety",
        _SAFETY,
    ),
    Call(
        "send telemetry (exporter)",
        "src/ telemetry",
        "app",
        "Monitoring Metrics Publisher",
        "app_insights",
        _AI_INGEST,
    ),
    # the alert rules (infra/ alerts, KQL in infra/monitoring/)
    Call(
        "scheduled KQL alert queries (error rate, p95, tokens, eval drift, feedback)",
        "infra/ alert rules",
        "alerts",
        "Monitoring Reader",
        "app_insights",
        _ALERT_QUERY,
    ),
    # the gateway's own identity
    Call(
        "forward to Azure OpenAI",
        "infra/apim-policy.xml",
        "gateway",
        "Cognitive Services OpenAI User",
        "openai",
        _AOAI,
        ("gateway",),
    ),
    Call(
        "emit token metrics",
        "infra/apim-policy.xml",
        "gateway",
        "Monitoring Metrics Publisher",
        "app_insights",
        _AI_INGEST,
        ("gateway",),
    ),
    # deploy.yml, canary job (deploy/)
    Call(
        "az acr build",
        "deploy/image.py",
        "deploy",
        "Container Registry Tasks Contributor",
        "registry",
        _ACR_ROLES,
    ),
    Call(
        "az acr build --agent-pool (prod)",
        "deploy/image.py",
        "deploy",
        "Container Registry Tasks Contributor",
        "registry",
        _ACR_POOL,
        ("prod",),
    ),
    Call(
        "az containerapp show | ingress traffic show/set | revision show/label add/deactivate",
        "deploy/azure.py",
        "deploy",
        "Container Apps Contributor",
        "container_app",
        _ACA_ROLES,
    ),
    Call(
        "az containerapp update --image (new revision)",
        "deploy/azure.py",
        "deploy",
        "Container Apps Contributor",
        "container_app",
        _ACA_ROLES,
    ),
    Call(
        "az containerapp update (linked: managedEnvironments/join/action)",
        "deploy/azure.py",
        "deploy",
        "Container Apps Operator",
        "environment",
        _ACA_JOIN,
    ),
    Call(
        "az containerapp env show (default domain)",
        "deploy/azure.py",
        "deploy",
        "Container Apps Operator",
        "environment",
        _ACA_JOIN,
    ),
    Call(
        "az monitor app-insights query (canary gate)",
        "deploy/azure.py",
        "deploy",
        "Monitoring Reader",
        "app_insights",
        _AI_QUERY,
    ),
    Call(
        "smoke test, online eval, load test, synthetic load on the label URL (bearer token)",
        "mk/deploy.mk canary-smoke, canary-loadtest; deploy/synthetic.py",
        "deploy",
        "allowed caller: app",
        "app",
        _APP_AUTH,
        iac=False,
    ),
    # deploy.yml, provision job
    Call(
        "az deployment sub create | terraform apply",
        "mk/infra.mk provision",
        "provision",
        "Contributor",
        "subscription",
        _DEPLOY,
        iac=False,
    ),
    Call(
        "role assignments of the IaC",
        "mk/infra.mk provision",
        "provision",
        "Role Based Access Control Administrator",
        "subscription",
        _DEPLOY,
        iac=False,
    ),
    # infra-preview.yml
    Call(
        "az deployment sub what-if --validation-level ProviderNoRbac",
        "mk/infra.mk infra-preview",
        "preview",
        WHAT_IF_ROLE,
        "subscription",
        _WHAT_IF,
        iac=False,
    ),
    # ci.yml eval job (quality signals)
    *_model_calls("eval", "chat completions (eval harness)", "ci.yml eval"),
    # monitor.yml
    Call(
        "az monitor app-insights query (daily report)",
        "deploy/monitor.py",
        "monitor",
        "Monitoring Reader",
        "app_insights",
        _AI_QUERY,
    ),
    Call(
        "online eval against APP_URL (bearer token)",
        "mk/deploy.mk monitor",
        "monitor",
        "allowed caller: app",
        "app",
        _APP_AUTH,
        iac=False,
    ),
    Call(
        "red team against APP_URL (bearer token)",
        "redteam.yml, mk/eval.mk redteam",
        "monitor",
        "allowed caller: app",
        "app",
        _APP_AUTH,
        iac=False,
    ),
    # refresh-index.yml
    Call(
        "create the versioned index (SDK)",
        "src/ ingest",
        "index",
        "Search Service Contributor",
        "search",
        _SEARCH_WRITE,
        ("search",),
    ),
    Call(
        "upload documents (SDK)",
        "src/ ingest",
        "index",
        "Search Index Data Contributor",
        "search",
        _SEARCH_WRITE,
        ("search",),
    ),
    Call(
        "az rest PUT /aliases (switch)",
        "deploy/index_refresh.py",
        "index",
        "Search Service Contributor",
        "search",
        _SEARCH_WRITE,
        ("search",),
    ),
    *(
        Call(c.call, c.where, c.identity, c.role, c.scope, c.source, (*c.when, "search"), c.iac)
        for c in _model_calls(
            "index", "embeddings + eval chat on the new index", "deploy/index_refresh.py"
        )
    ),
)


def _applies(call: Call, use_case: str, gateway: str, profile: str) -> bool:
    facts = {
        "search": uses_search(use_case),
        "no-gateway": gateway == "none",
        "gateway": gateway == "apim",
        "prod": profile == "prod",
    }
    return all(facts[w] for w in call.when)


def calls(use_case: str, gateway: str, profile: str) -> tuple[Call, ...]:
    return tuple(c for c in CALLS if _applies(c, use_case, gateway, profile))


def grants(use_case: str, gateway: str, profile: str) -> set[tuple[str, str, str]]:
    """(identity, role, scope) the IaC must grant, and nothing else."""
    return {(c.identity, c.role, c.scope) for c in calls(use_case, gateway, profile) if c.iac}


def bootstrap_grants() -> set[tuple[str, str, str]]:
    """(identity, role, scope) granted once by a subscription owner (make azure-bootstrap)."""
    return {
        (c.identity, c.role, c.scope)
        for c in CALLS
        if not c.iac and not c.role.startswith("allowed caller")
    }


# -- GitHub variables <- IaC outputs -----------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    name: str  # the GitHub variable the workflows read
    output: str  # the IaC output that fills it
    environment: str = ""  # a GitHub environment, or "" for a repository variable
    search_only: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("AZURE_TENANT_ID", "AZURE_TENANT_ID"),
    Variable("AZURE_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"),
    Variable("AZURE_LOCATION", "AZURE_LOCATION"),
    Variable("AZURE_ENV_NAME", "AZURE_ENV_NAME"),
    Variable("AZURE_RESOURCE_GROUP", "AZURE_RESOURCE_GROUP"),
    Variable("AZURE_CONTAINER_REGISTRY", "AZURE_CONTAINER_REGISTRY_NAME"),
    Variable("AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_ENDPOINT"),
    Variable("AZURE_ACR_AGENT_POOL", "AZURE_ACR_AGENT_POOL"),
    Variable("AZURE_CONTAINERAPP_NAME", "AZURE_CONTAINER_APP_NAME"),
    Variable("AZURE_CONTAINERAPPS_ENVIRONMENT", "AZURE_CONTAINER_APPS_ENVIRONMENT_NAME"),
    Variable("AZURE_APPINSIGHTS_NAME", "APPLICATIONINSIGHTS_NAME"),
    # the monitor's regression issue links the workbook (infra/ alerts)
    Variable("AZURE_MONITOR_WORKBOOK_ID", "AZURE_MONITOR_WORKBOOK_ID"),
    Variable("APP_URL", "SERVICE_API_URI"),
    Variable("AZURE_API_AUDIENCE", "AZURE_API_AUDIENCE"),
    # the PR eval job (ci.yml) calls the chat deployment through this endpoint
    Variable("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_ENDPOINT"),
    Variable("AZURE_OPENAI_CHAT_DEPLOYMENT", "AZURE_OPENAI_CHAT_DEPLOYMENT"),
    Variable(
        "AZURE_OPENAI_EMBEDDING_DEPLOYMENT", "AZURE_OPENAI_EMBEDDING_DEPLOYMENT", search_only=True
    ),
    Variable("AZURE_SEARCH_SERVICE", "AZURE_SEARCH_NAME", search_only=True),
    Variable("AZURE_SEARCH_ENDPOINT", "AZURE_SEARCH_ENDPOINT", search_only=True),
    Variable("AZURE_CONTENT_SAFETY_ENDPOINT", "AZURE_CONTENT_SAFETY_ENDPOINT"),
    *(
        Variable(i.variable, f"AZURE_{i.name.upper()}_CLIENT_ID", search_only=i.search_only)
        for i in IDENTITIES
        if i.variable
    ),
)


def variables(use_case: str) -> tuple[Variable, ...]:
    return tuple(v for v in VARIABLES if uses_search(use_case) or not v.search_only)


def outputs(use_case: str) -> set[str]:
    """IaC outputs the workflows need (each flavour may output more, e.g. for azd)."""
    return {v.output for v in variables(use_case)} - {"AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME"}


# -- the runbook table ---------------------------------------------------------------------------


def markdown(use_case: str, gateway: str, profile: str) -> str:
    """The permission table of docs/runbook.md for one rendering."""
    lines = [
        "| call | made by | identity | needs | on | source |",
        "|---|---|---|---|---|---|",
    ]
    for c in calls(use_case, gateway, profile):
        granted = "" if c.iac or c.role.startswith("allowed") else " (bootstrap)"
        lines.append(
            f"| {c.call} | `{c.where}` | `{c.identity}` | {c.role}{granted} | {c.scope} | {c.source} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.contract", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the permission table")
    parser.add_argument("--use-case", required=True)
    parser.add_argument("--gateway", choices=["none", "apim"], required=True)
    parser.add_argument("--profile", choices=["dev", "prod"], required=True)
    args = parser.parse_args(argv)
    sys.stdout.write(markdown(args.use_case, args.gateway, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
