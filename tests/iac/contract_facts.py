"""Read the contract out of a generated repository: its Settings class, its deploy/contract.py,
and what its parsed IaC sets on the container app and grants to which identity."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
import typing
from pathlib import Path
from typing import Any

PLACEHOLDER_URL = "https://placeholder.example"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


def load_module(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_contract(repo: Path) -> types.ModuleType:
    return load_module(repo / "deploy" / "contract.py", f"contract_{abs(hash(repo))}")


def load_settings_class(repo: Path) -> type[Any]:
    """The generated app's own Settings class (its package imported from src/)."""
    slug = next(p.name for p in (repo / "src").iterdir() if (p / "settings.py").is_file())
    package = f"{slug}_{abs(hash(repo))}"
    root = repo / "src" / slug
    init = importlib.util.spec_from_file_location(
        package, root / "__init__.py", submodule_search_locations=[str(root)]
    )
    assert init and init.loader
    module = importlib.util.module_from_spec(init)
    sys.modules[package] = module
    init.loader.exec_module(module)
    settings = load_module(root / "settings.py", f"{package}.settings")
    return settings.Settings  # type: ignore[no-any-return]


# -- Settings: names, types and what validation demands -------------------------------------


def env_names(settings_cls: type[Any], field: str) -> set[str]:
    """Environment variables that set one field (its aliases, or APP_<FIELD>)."""
    info = settings_cls.model_fields[field]
    alias = info.validation_alias
    if alias is not None and hasattr(alias, "choices"):
        return {str(c) for c in alias.choices}
    if isinstance(alias, str):
        return {alias}
    prefix = settings_cls.model_config.get("env_prefix", "")
    return {f"{prefix}{field}".upper()}


def field_of(settings_cls: type[Any], env: str) -> str | None:
    for name in settings_cls.model_fields:
        if env in env_names(settings_cls, name):
            return name
    return None


def placeholder(settings_cls: type[Any], field: str) -> str | None:
    """A valid stand-in value for a field whose real value only exists in Azure."""
    annotation = settings_cls.model_fields[field].annotation
    args = set(typing.get_args(annotation)) | {annotation}
    names = {getattr(a, "__name__", str(a)) for a in args}
    if "list" in names or typing.get_origin(annotation) is list:
        return json.dumps([PLACEHOLDER_ID])
    if "int" in names:
        return "60"
    if "str" in names or "SecretStr" in names:
        return PLACEHOLDER_URL
    return None


def build(settings_cls: type[Any], env: dict[str, str]) -> Any:
    """Settings from exactly this environment (nothing from the process or a .env file)."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return settings_cls(_env_file=None)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def valid(settings_cls: type[Any], env: dict[str, str]) -> bool:
    try:
        build(settings_cls, env)
    except ValueError:  # pydantic's ValidationError is a ValueError
        return False
    return True


def required_fields(settings_cls: type[Any], profile: dict[str, str]) -> set[str]:
    """Selectors of the profile plus every optional field its validation cannot do without.

    Start from the profile with a stand-in for every unset optional string field (which must
    validate), then drop the stand-ins one at a time: those whose absence fails validation are
    required. Nothing here knows the app's rules: they are the Settings class's own.
    """

    def env_of(values: dict[str, str]) -> dict[str, str]:
        return {sorted(env_names(settings_cls, k))[0]: v for k, v in values.items()}

    candidates = {
        name: value
        for name, info in settings_cls.model_fields.items()
        if name not in profile
        and (info.default is None or info.default_factory is list)
        and (value := placeholder(settings_cls, name)) is not None
    }
    full = {**profile, **candidates}
    assert valid(settings_cls, env_of(full)), "the profile does not validate even fully filled"
    needed = set(profile)
    for name in candidates:
        without = {k: v for k, v in full.items() if k != name}
        if not valid(settings_cls, env_of(without)):
            needed.add(name)
    return needed


# -- what the parsed IaC sets and grants --------------------------------------------------------


def text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def bicep_app_env(parsed: dict[str, Any]) -> dict[str, Any]:
    app = next(m for m in parsed["modules"] if m["name"] == "app")
    settings = app["config"]["params"]["settings"]
    assert settings == "appSettings", settings  # one object in main.bicep, read from there
    env: dict[str, Any] = parsed["variables"]["main.bicep"]["appSettings"]
    return env


def hcl(value: Any) -> Any:
    """python-hcl2 wraps blocks and some values in one-element lists: unwrap them all."""
    if isinstance(value, list):
        items = [hcl(v) for v in value]
        return items[0] if len(items) == 1 else items
    if isinstance(value, dict):
        return {k: hcl(v) for k, v in value.items()}
    return value


def terraform_app_env(parsed: dict[str, Any]) -> dict[str, Any]:
    app = next(r for r in parsed["resources"] if r["type"] == "azurerm_container_app")
    container = hcl(app["config"])["template"]["container"]
    dynamic = container["dynamic"]["env"]
    assert dynamic["for_each"] == "${local.app_settings}", dynamic
    env: dict[str, Any] = hcl(parsed["locals"]["app_settings"])
    # python-hcl2 keeps a literal's escapes; Terraform gives the app the unescaped string
    return {
        name: unescape_hcl(value) if isinstance(value, str) and "${" not in value else value
        for name, value in env.items()
    }


def unescape_hcl(literal: str) -> str:
    return literal.replace('\\"', '"').replace("\\\\", "\\")


def is_literal(flavour: str, value: Any, parsed: dict[str, Any]) -> bool:
    if not isinstance(value, str):
        return False
    if flavour == "terraform":
        return "${" not in value
    names = set(parsed["params"]["main.bicep"]) | set(parsed["variables"]["main.bicep"])
    return value not in names and "${" not in value


BICEP_SCOPES = {
    "Microsoft.ContainerRegistry/registries": "registry",
    "Microsoft.App/containerApps": "container_app",
    "Microsoft.App/managedEnvironments": "environment",
    "Microsoft.Insights/components": "app_insights",
    "Microsoft.CognitiveServices/accounts": None,  # openai or content_safety: by module
    "Microsoft.Search/searchServices": "search",
    "Microsoft.Storage/storageAccounts/tableServices/tables": "table",
}
TERRAFORM_SCOPES = {
    "azurerm_container_registry": "registry",
    "azurerm_container_app": "container_app",
    "azurerm_container_app_environment": "environment",
    "azurerm_application_insights": "app_insights",
    "azurerm_search_service": "search",
    "azurerm_storage_table": "table",
}


def _symbol(value: Any) -> str:
    """The resource symbol a Bicep expression is rooted in (`search`, `tables[i]` -> tables)."""
    while isinstance(value, dict):
        operands = value["operator"]["operands"]
        value = operands["operand_1"]
    return str(value)


def _accessor_path(value: Any) -> list[str]:
    path: list[str] = []
    while isinstance(value, dict) and "operator" in value:
        operands = value["operator"]["operands"]
        path.append(str(operands["operand_1"]))
        value = operands["operand_2"]
    path.append(str(value))
    return path


def bicep_grants(parsed: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(identity, role, scope) of every role assignment the Bicep makes."""
    roles_var = parsed["variables"]["main.bicep"]["roles"]
    role_names = {guid: name for name, guid in _role_ids().items()}
    modules = {m["name"]: m for m in parsed["modules"]}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for resource in parsed["resources"]:
        by_file.setdefault(resource["file"], []).append(resource)
    found: set[tuple[str, str, str]] = set()
    for resource in parsed["resources"]:
        if resource["type"] != "Microsoft.Authorization/roleAssignments":
            continue
        file = resource["file"]
        symbols = {r["name"]: r["type"] for r in by_file[file]}
        scope_type = symbols[_symbol(resource["config"]["scope"])]
        module = next(m for m in modules.values() if m["path"] == file)
        scope = BICEP_SCOPES[scope_type] or (
            "content_safety" if "content-safety" in file else "openai"
        )
        loop = resource["loop"]
        principal = resource["config"]["properties"]["principalId"]
        if loop and loop.get("item_name") == "grant":  # [for grant in <param>: ...]
            entries = modules[module["name"]]["config"]["params"][loop["array_name"]]
        elif _accessor_path(principal)[0] != "apim":  # one object param, e.g. tableRoleAssignment
            entries = [modules[module["name"]]["config"]["params"][_accessor_path(principal)[0]]]
        else:  # the gateway's own identity, role ids are module variables
            role_ref = resource["config"]["properties"]["roleDefinitionId"]["function"]
            guid = parsed["variables"][file][role_ref["parameters"]["resource_name_1"]]
            found.add(("gateway", role_names[guid], scope))
            continue
        for entry in entries:
            identity = _accessor_path(entry["principalId"])[-1].removesuffix("PrincipalId")
            role_key = _accessor_path(entry["roleId"])[-1]
            found.add((identity, role_names[roles_var[role_key]], scope))
    return found


def terraform_grants(parsed: dict[str, Any]) -> set[tuple[str, str, str]]:
    roles = hcl(parsed["locals"]["roles"])
    types_ = {(r["type"], r["name"]): r for r in parsed["resources"]}
    found: set[tuple[str, str, str]] = set()
    for resource in parsed["resources"]:
        if resource["type"] != "azurerm_role_assignment":
            continue
        config = hcl(resource["config"])
        role = roles[config["role_definition_name"].removeprefix("${local.roles.").rstrip("}")]
        principal = config["principal_id"]
        if "azurerm_api_management.gateway" in principal:
            identity = "gateway"
        else:
            identity = principal.split("azurerm_user_assigned_identity.")[1].split(".")[0]
        scope_ref = config.get("scope") or ""
        if scope_ref == "${each.value.resource_manager_id}":
            target = config["for_each"].removeprefix("${").rstrip("}")
        else:
            target = ".".join(scope_ref.removeprefix("${").split(".")[:2])
        rtype, rname = target.split(".")
        if rtype == "azurerm_cognitive_account":
            scope = "content_safety" if rname == "content_safety" else "openai"
        else:
            scope = TERRAFORM_SCOPES[rtype]
        assert (rtype, rname) in types_, target
        found.add((identity, role, scope))
    return found


def _role_ids() -> dict[str, str]:
    return {
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
    }
