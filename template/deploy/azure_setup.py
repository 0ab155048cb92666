"""Wire a provisioned environment to GitHub, with names from deploy/contract.py only.

``github``     the IaC outputs -> the GitHub variables the workflows read (``gh variable set``),
               and the ``prod`` environment the deploy, provision and index jobs run in. Also
               checks that the federated credentials were made for this repository.
``repo``       the GitHub repository (owner/name) of the git remote, for the IaC's credentials.
``entra-app``  an Entra app registration for the API (its audience, api://<appId>) with the app
               role callers need (deploy/contract.py ``API_APP_ROLE``).
``entra-callers`` that app role assigned to the identities that call the deployed app
               (``APP_CALLERS``: canary smoke, online eval), after provisioning.
``bootstrap``  once, by a subscription owner: the subscription roles of the provision and preview
               identities (deploy/contract.py ``bootstrap_grants``), which the IaC cannot give.

Outputs come from ``--outputs FILE`` (``az deployment sub show --query properties.outputs``,
``terraform output -json`` or a flat JSON object) or from azd's ``.azure/<env>/.env``.
``--dry-run`` prints every command and runs none. Exit codes: 0 done, 1 a command failed,
2 bad input (nothing was changed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from deploy import contract

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]
ANSWERS = Path(".copier-answers.yml")
_REMOTE = re.compile(r"github\.com[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def answer(key: str, answers: Path = ANSWERS) -> str:
    text = answers.read_text(encoding="utf-8") if answers.is_file() else ""
    match = re.search(rf"^{key}:\s*['\"]?([^'\"\n]+)", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def repository(remote_url: str, answers: Path = ANSWERS) -> str:
    """owner/name from the git remote, else from the answers (owner, project slug)."""
    match = _REMOTE.search(remote_url.strip())
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    owner, slug = answer("owner", answers), answer("project_slug", answers)
    if not owner or not slug:
        raise ValueError("no GitHub remote and no owner/project_slug answers: pass --repo")
    return f"{owner}/{slug.replace('_', '-')}"


def read_outputs(text: str) -> dict[str, str]:
    """Outputs as {NAME: value} from az/terraform JSON, a flat JSON object or a dotenv file."""
    stripped = text.strip()
    if stripped.startswith("{"):
        data = json.loads(stripped)
        return {str(k): str(v.get("value") if isinstance(v, dict) else v) for k, v in data.items()}
    values = {}
    for line in stripped.splitlines():
        match = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2).strip().strip('"')
    return values


def variable_commands(
    outputs: Mapping[str, str], repo: str, use_case: str, subscription: str
) -> list[list[str]]:
    """gh commands that set every variable of the contract (an error names missing outputs)."""
    values = {**outputs, "AZURE_SUBSCRIPTION_ID": subscription}
    values.setdefault("AZURE_ENV_NAME", outputs.get("AZURE_ENV_NAME", ""))
    wanted = contract.variables(use_case)
    optional = {"AZURE_ENV_NAME", "AZURE_ACR_AGENT_POOL"}  # empty is a valid value for these
    missing = [v.output for v in wanted if not values.get(v.output) and v.output not in optional]
    if missing:
        raise ValueError(f"outputs missing (provision first, or pass --outputs): {missing}")
    commands = [["gh", "api", "--method", "PUT", f"repos/{repo}/environments/prod", "--silent"]]
    for variable in wanted:
        command = ["gh", "variable", "set", variable.name, "--repo", repo]
        command += ["--body", values.get(variable.output, "")]
        if variable.environment:
            command += ["--env", variable.environment]
        commands.append(command)
    return commands


def subscription_command() -> list[str]:
    return ["az", "account", "show", "--query", "id", "-o", "tsv"]


def credentials_command(resource_group: str, identity: str) -> list[str]:
    return [
        "az",
        "identity",
        "federated-credential",
        "list",
        "--identity-name",
        identity,
        "-g",
        resource_group,
        "--query",
        "[].subject",
        "-o",
        "tsv",
    ]


#: a stable id for the app role, so re-running entra-app never creates a second one
API_APP_ROLE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genaiops:app-role:{contract.API_APP_ROLE}"))
GRAPH = "https://graph.microsoft.com/v1.0"


def app_roles() -> str:
    """The API's app role (manifest JSON): applications (managed identities) and users."""
    role = {
        "allowedMemberTypes": ["Application", "User"],
        "description": "Call the workload's API.",
        "displayName": "Invoke the workload API",
        "id": API_APP_ROLE_ID,
        "isEnabled": True,
        "value": contract.API_APP_ROLE,
    }
    return json.dumps([role])


def entra_app_commands(name: str) -> list[list[str]]:
    """An app registration for the API; its id becomes the audience api://<appId>."""
    return [
        [
            "az",
            "ad",
            "app",
            "create",
            "--display-name",
            name,
            "--sign-in-audience",
            "AzureADMyOrg",
            "--app-roles",
            app_roles(),
            "--query",
            "appId",
            "-o",
            "tsv",
        ],
    ]


def object_id_command(app_or_client_id: str) -> list[str]:
    """The service principal object id of an app registration or a managed identity."""
    return ["az", "ad", "sp", "show", "--id", app_or_client_id, "--query", "id", "-o", "tsv"]


def role_assignment_command(api_object_id: str, principal_object_id: str) -> list[str]:
    """Assign the API's app role to a caller (Microsoft Graph appRoleAssignedTo)."""
    body = {
        "principalId": principal_object_id,
        "resourceId": api_object_id,
        "appRoleId": API_APP_ROLE_ID,
    }
    uri = f"{GRAPH}/servicePrincipals/{api_object_id}/appRoleAssignedTo"
    return ["az", "rest", "--method", "POST", "--uri", uri, "--body", json.dumps(body)]


def caller_client_ids(outputs: Mapping[str, str]) -> dict[str, str]:
    """Client ids of the identities that call the deployed app, from the IaC outputs."""
    wanted = {name: f"AZURE_{name.upper()}_CLIENT_ID" for name in contract.APP_CALLERS}
    missing = [output for output in wanted.values() if not outputs.get(output)]
    if missing:
        raise ValueError(f"outputs missing (provision first, or pass --outputs): {missing}")
    return {name: outputs[output] for name, output in wanted.items()}


def api_app_id(audience: str) -> str:
    app_id = audience.removeprefix("api://")
    if not re.fullmatch(r"[0-9a-fA-F-]{36}", app_id):
        raise ValueError(f"AZURE_API_AUDIENCE must be api://<appId> (got {audience!r})")
    return app_id


def assign_callers(
    outputs: Mapping[str, str], audience: str, dry_run: bool, run: Runner
) -> list[str]:
    """Assign the app role to every caller; an assignment that already exists is kept."""
    callers = caller_client_ids(outputs)
    app_id = api_app_id(audience)
    api = "<api-object-id>" if dry_run else _execute([object_id_command(app_id)], False, run)
    if dry_run:
        print(f"$ {shlex.join(object_id_command(app_id))}")
    done = []
    for name, client_id in sorted(callers.items()):
        lookup = object_id_command(client_id)
        if dry_run:
            print(f"$ {shlex.join(lookup)}")
            principal = f"<{name}-object-id>"
        else:
            principal = _execute([lookup], False, run)
        command = role_assignment_command(api, principal)
        print(f"$ {shlex.join(command)}", flush=True)
        if not dry_run:
            proc = run(command)
            if proc.returncode != 0 and "already exists" not in proc.stderr:
                raise RuntimeError(f"app role assignment failed: {proc.stderr.strip()[-300:]}")
        done.append(name)
    return done


def entra_app_finish_commands(app_id: str) -> list[list[str]]:
    return [
        ["az", "ad", "app", "update", "--id", app_id, "--identifier-uris", f"api://{app_id}"],
        ["az", "ad", "sp", "create", "--id", app_id],
    ]


def bootstrap_commands(
    subscription: str, provision_principal: str, preview_principal: str, project: str
) -> list[list[str]]:
    """Subscription roles of the provision and preview identities (deploy/contract.py)."""
    scope = f"/subscriptions/{subscription}"
    principals = {"provision": provision_principal, "preview": preview_principal}
    what_if = json.dumps(
        {
            "Name": f"{contract.WHAT_IF_ROLE} ({project})",
            "IsCustom": True,
            "Description": "Read everything and preview deployments (what-if); no write.",
            "Actions": list(contract.WHAT_IF_ACTIONS),
            "NotActions": [],
            "AssignableScopes": [scope],
        }
    )
    commands = [["az", "role", "definition", "create", "--role-definition", what_if]]
    for identity, role, where in sorted(contract.bootstrap_grants()):
        assert where == "subscription", where
        name = f"{role} ({project})" if role == contract.WHAT_IF_ROLE else role
        command = ["az", "role", "assignment", "create", "--assignee-object-id"]
        command += [principals[identity], "--assignee-principal-type", "ServicePrincipal"]
        command += ["--role", name, "--scope", scope]
        if role == "Role Based Access Control Administrator":
            # may assign only the roles the IaC grants (contract.ROLE_IDS), never Owner/UAA
            ids = ", ".join(
                v for k, v in contract.ROLE_IDS.items() if k not in ("Contributor", "Reader")
            )
            condition = (
                "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
                "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
                f"ForAnyOfAnyValues:GuidEquals {{{ids}}}))"
            )
            command += ["--condition", condition, "--condition-version", "2.0"]
        commands.append(command)
    return commands


def _execute(commands: Sequence[Sequence[str]], dry_run: bool, run: Runner) -> str:
    last = ""
    for command in commands:
        print(f"$ {shlex.join(command)}", flush=True)
        if dry_run:
            continue
        proc = run(command)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:3])} failed: {proc.stderr.strip()[-300:]}")
        last = proc.stdout.strip()
    return last


def _outputs(path: Path | None, env_name: str) -> dict[str, str]:
    source = path or Path(".azure") / env_name / ".env"
    if not source.is_file():
        raise ValueError(f"{source}: no outputs (pass --outputs FILE)")
    return read_outputs(source.read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None, run: Runner = _run) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.azure_setup", description=__doc__)
    parser.add_argument(
        "action", choices=["github", "repo", "entra-app", "entra-callers", "bootstrap"]
    )
    parser.add_argument("--audience", default=os.environ.get("AZURE_API_AUDIENCE", ""))
    parser.add_argument("--outputs", type=Path, help="IaC outputs (JSON or dotenv)")
    parser.add_argument("--env-name", default=os.environ.get("AZURE_ENV_NAME", "dev"))
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""))
    parser.add_argument("--subscription", default=os.environ.get("AZURE_SUBSCRIPTION_ID", ""))
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    use_case = answer("use_case") or "rag_chat"
    try:
        remote = run(["git", "remote", "get-url", "origin"]).stdout
        repo = args.repo or repository(remote)
        if args.action == "repo":
            print(repo)
            return 0
        if args.action == "entra-app":
            name = f"{answer('project_slug') or 'workload'}-api".replace("_", "-")
            if args.dry_run:
                _execute(entra_app_commands(name) + entra_app_finish_commands("<appId>"), True, run)
                return 0
            app_id = _execute(entra_app_commands(name), False, run)
            _execute(entra_app_finish_commands(app_id), False, run)
            print(f"AZURE_API_AUDIENCE=api://{app_id}")
            return 0
        outputs = _outputs(args.outputs, args.env_name)
        if args.action == "entra-callers":
            audience = args.audience or outputs.get("AZURE_API_AUDIENCE", "")
            done = assign_callers(outputs, audience, args.dry_run, run)
            print(f"app role {contract.API_APP_ROLE} assigned to: {', '.join(done)}")
            return 0
        subscription = args.subscription or (
            "<subscription>" if args.dry_run else run(subscription_command()).stdout.strip()
        )
        if not subscription:
            raise ValueError("no subscription: az login, or pass --subscription")
        if args.action == "bootstrap":
            provision = outputs.get("AZURE_PROVISION_PRINCIPAL_ID", "")
            preview = outputs.get("AZURE_PREVIEW_PRINCIPAL_ID", "")
            if not provision or not preview:
                raise ValueError(
                    "outputs lack AZURE_PROVISION_PRINCIPAL_ID / AZURE_PREVIEW_PRINCIPAL_ID"
                )
            project = answer("project_slug") or "workload"
            commands = bootstrap_commands(subscription, provision, preview, project)
            _execute(commands, args.dry_run, run)
            return 0
        commands = variable_commands(outputs, repo, use_case, subscription)
        if not args.dry_run and outputs.get("AZURE_RESOURCE_GROUP"):
            group = outputs["AZURE_RESOURCE_GROUP"]
            token = outputs.get("AZURE_CONTAINER_REGISTRY_NAME", "").removeprefix("cr")
            subjects = _execute([credentials_command(group, f"id-deploy-{token}")], False, run)
            if subjects and f"repo:{repo}:" not in subjects:
                raise ValueError(
                    f"the federated credentials were made for {subjects.split(':')[1]}, not {repo}:"
                    f" re-provision with GITHUB_REPOSITORY={repo}"
                )
        _execute(commands, args.dry_run, run)
        print(f"{len(commands) - 1} variables set on {repo}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
