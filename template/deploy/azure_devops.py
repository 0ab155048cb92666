"""Azure DevOps from a pipeline: the pull-request comment, the template-update pull request and
the monitor's work item, through the REST API (version 7.1).

It authenticates with the job's own access token (``$(System.AccessToken)`` mapped to the
environment variable ``SYSTEM_ACCESSTOKEN`` by the step): no personal access token, no stored
secret. Where to write comes from the variables Azure Pipelines defines for every job:
``SYSTEM_COLLECTIONURI`` (``https://dev.azure.com/<org>/``), ``SYSTEM_TEAMPROJECTID``,
``BUILD_REPOSITORY_ID`` and, on pull-request builds, ``SYSTEM_PULLREQUEST_PULLREQUESTID``.
Exit codes: 0 done, 1 Azure DevOps refused or failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

API_VERSION = "7.1"
MAX_DESCRIPTION = 4000  # pull-request descriptions are cut by Azure DevOps beyond this
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class AzureDevOpsError(RuntimeError):
    """A REST call failed; the message says which and what Azure DevOps answered."""


@dataclass(frozen=True)
class Project:
    """One Azure DevOps project (and the repository the pipeline runs for)."""

    collection: str
    project: str
    token: str
    repository: str = ""

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.collection)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
        )
        if not secure or not parts.netloc:
            raise ValueError(
                f"collection URL {self.collection!r} must be https:// (the token goes with it)"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Project:
        env = os.environ if env is None else env
        wanted = ("SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECTID", "SYSTEM_ACCESSTOKEN")
        missing = [name for name in wanted if not env.get(name)]
        if missing:
            hint = (
                " (map it in the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))"
                if "SYSTEM_ACCESSTOKEN" in missing
                else ""
            )
            raise ValueError(f"set {', '.join(missing)}{hint}")
        return cls(
            collection=env["SYSTEM_COLLECTIONURI"],
            project=env["SYSTEM_TEAMPROJECTID"],
            token=env["SYSTEM_ACCESSTOKEN"],
            repository=env.get("BUILD_REPOSITORY_ID", ""),
        )

    def url(
        self, path: str, query: Mapping[str, str] | None = None, org_level: bool = False
    ) -> str:
        base = self.collection.rstrip("/")
        if not org_level:
            base += "/" + urllib.parse.quote(self.project, safe="")
        params = {**(query or {}), "api-version": (query or {}).get("api-version", API_VERSION)}
        return f"{base}/_apis/{path}?{urllib.parse.urlencode(params)}"

    def repo_path(self, rest: str) -> str:
        if not self.repository:
            raise ValueError("set BUILD_REPOSITORY_ID (the repository of this pipeline)")
        return f"git/repositories/{urllib.parse.quote(self.repository, safe='')}/{rest}"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
        content_type: str = "application/json",
        org_level: bool = False,
    ) -> Any:
        url = self.url(path, query, org_level)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - https
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - https
                status, kind = response.status, response.headers.get("Content-Type", "")
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[-300:]
            raise AzureDevOpsError(f"{method} {path}: HTTP {exc.code}: {detail}") from exc
        except OSError as exc:
            raise AzureDevOpsError(f"{method} {path}: {exc}") from exc
        if "json" not in kind:
            # an invalid or missing token gets a sign-in page with HTTP 203, not an error
            raise AzureDevOpsError(
                f"{method} {path}: HTTP {status} answered {kind or 'no content type'}, not JSON: "
                "is the job's access token mapped and allowed to do this?"
            )
        return json.loads(payload) if payload else None


def marker(name: str) -> str:
    """The hidden line that finds our own comment again on the next push."""
    return f"<!-- genaiops:{name} -->"


def comment_body(name: str, title: str, text: str) -> str:
    heading = f"### {title}\n\n" if title else ""
    return f"{marker(name)}\n{heading}{text.strip() or '(no summary produced)'}\n"


def pr_comment(project: Project, pull_request: str, name: str, content: str) -> str:
    """One comment per pull request and ``name``: created once, then edited on every push."""
    threads_path = project.repo_path(f"pullRequests/{int(pull_request)}/threads")
    threads = project.request("GET", threads_path) or {}
    for thread in threads.get("value", []):
        comments = thread.get("comments") or []
        if comments and marker(name) in (comments[0].get("content") or ""):
            path = f"{threads_path}/{int(thread['id'])}/comments/{int(comments[0]['id'])}"
            project.request("PATCH", path, {"content": content})
            return "updated"
    body = {
        "comments": [{"parentCommentId": 0, "content": content, "commentType": 1}],
        "status": 1,  # active
    }
    project.request("POST", threads_path, body)
    return "created"


def open_or_update_pull_request(
    project: Project, source: str, target: str, title: str, description: str
) -> tuple[str, int]:
    """The pull request from ``source`` into ``target``: opened, or commented if open."""
    refs = {
        "searchCriteria.sourceRefName": f"refs/heads/{source}",
        "searchCriteria.targetRefName": f"refs/heads/{target}",
        "searchCriteria.status": "active",
    }
    listed = project.request("GET", project.repo_path("pullrequests"), query=refs) or {}
    existing = listed.get("value") or []
    if existing:
        number = int(existing[0]["pullRequestId"])
        threads = project.repo_path(f"pullRequests/{number}/threads")
        comment = {"parentCommentId": 0, "content": description, "commentType": 1}
        project.request("POST", threads, {"comments": [comment], "status": 1})
        return "updated", number
    body = {
        "sourceRefName": f"refs/heads/{source}",
        "targetRefName": f"refs/heads/{target}",
        "title": title,
        "description": description[:MAX_DESCRIPTION],
    }
    created = project.request("POST", project.repo_path("pullrequests"), body)
    return "opened", int(created["pullRequestId"])


def _wiql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def open_work_item_query(tag: str) -> str:
    closed = " AND ".join(
        f"[System.State] <> {_wiql_literal(s)}" for s in ("Done", "Closed", "Removed", "Resolved")
    )
    # WIQL, not SQL: the only value in it is quoted by _wiql_literal
    select = "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project"
    return f"{select} AND [System.Tags] CONTAINS {_wiql_literal(tag)} AND {closed} ORDER BY [System.Id] DESC"  # noqa: S608, E501


def report_html(markdown: str) -> str:
    """Work item fields are HTML: keep the report's tables readable as preformatted text."""
    return f"<pre>{html.escape(markdown)}</pre>"


def open_or_update_work_item(
    project: Project, title: str, report: str, tag: str, work_item_type: str = "Issue"
) -> tuple[str, int]:
    """One open work item per ``tag``: opened, or the new report added to its discussion."""
    found = project.request("POST", "wit/wiql", {"query": open_work_item_query(tag)}) or {}
    items = found.get("workItems") or []
    patch = "application/json-patch+json"
    if items:
        number = int(items[0]["id"])
        ops = [{"op": "add", "path": "/fields/System.History", "value": report_html(report)}]
        project.request("PATCH", f"wit/workitems/{number}", ops, content_type=patch)
        return "updated", number
    ops = [
        {"op": "add", "path": "/fields/System.Title", "value": title},
        {"op": "add", "path": "/fields/System.Description", "value": report_html(report)},
        {"op": "add", "path": "/fields/System.Tags", "value": tag},
    ]
    kind = urllib.parse.quote(work_item_type, safe="")
    created = project.request("POST", f"wit/workitems/${kind}", ops, content_type=patch)
    return "opened", int(created["id"])


# -- one-time setup: workload identity federation service connections ------------------------

#: the Microsoft Entra resource of Azure DevOps (tokens for its REST API from `az`)
AZURE_DEVOPS_RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class Subscription:
    tenant_id: str
    subscription_id: str
    subscription_name: str


def service_connection_body(
    name: str, project_id: str, project_name: str, client_id: str, subscription: Subscription
) -> dict[str, Any]:
    """An Azure Resource Manager service connection that signs in as ``client_id`` (a
    user-assigned managed identity) by workload identity federation: no secret in it."""
    return {
        "name": name,
        "type": "AzureRM",
        "url": "https://management.azure.com/",
        "description": "genaiops: workload identity federation, no secret",
        "data": {
            "environment": "AzureCloud",
            "scopeLevel": "Subscription",
            "subscriptionId": subscription.subscription_id,
            "subscriptionName": subscription.subscription_name,
            "creationMode": "Manual",
        },
        "authorization": {
            "scheme": "WorkloadIdentityFederation",
            "parameters": {"serviceprincipalid": client_id, "tenantid": subscription.tenant_id},
        },
        "isShared": False,
        "isReady": True,
        "serviceEndpointProjectReferences": [
            {"projectReference": {"id": project_id, "name": project_name}, "name": name}
        ],
    }


def ensure_service_connection(
    project: Project, name: str, client_id: str, subscription: Subscription
) -> tuple[str, str, str]:
    """The connection ``name`` (created if absent): (outcome, issuer, subject) of its
    federation, which the identity's federated credential must name."""
    found = project.request("GET", "serviceendpoint/endpoints", query={"endpointNames": name}) or {}
    existing = found.get("value") or []
    outcome = "existing"
    if existing:
        endpoint = existing[0]
    else:
        about = project.request(
            "GET", f"projects/{urllib.parse.quote(project.project)}", org_level=True
        )
        body = service_connection_body(
            name, str(about["id"]), str(about["name"]), client_id, subscription
        )
        endpoint = project.request("POST", "serviceendpoint/endpoints", body, org_level=True)
        outcome = "created"
    authorization = endpoint.get("authorization") or {}
    if authorization.get("scheme") != "WorkloadIdentityFederation":
        raise AzureDevOpsError(
            f"service connection {name} exists but does not use workload identity federation"
        )
    parameters = authorization.get("parameters") or {}
    if parameters.get("serviceprincipalid", client_id) != client_id:
        raise AzureDevOpsError(f"service connection {name} signs in as another identity")
    issuer = parameters.get("workloadIdentityFederationIssuer", "")
    subject = parameters.get("workloadIdentityFederationSubject", "")
    if not issuer or not subject:
        raise AzureDevOpsError(f"service connection {name}: Azure DevOps gave no issuer/subject")
    return outcome, issuer, subject


def federated_credential_command(
    identity: str, resource_group: str, connection: str, issuer: str, subject: str
) -> list[str]:
    return [
        "az", "identity", "federated-credential", "create", "--name", connection,
        "--identity-name", identity, "--resource-group", resource_group,
        "--issuer", issuer, "--subject", subject, "--audiences", AUDIENCE,
    ]  # fmt: skip


def identity_client_id_command(identity: str, resource_group: str) -> list[str]:
    return ["az", "identity", "show", "-n", identity, "-g", resource_group,
            "--query", "clientId", "-o", "tsv"]  # fmt: skip


SUBSCRIPTION_COMMAND = ["az", "account", "show", "--query", "[tenantId, id, name]", "-o", "tsv"]
TOKEN_COMMAND = ["az", "account", "get-access-token", "--resource", AZURE_DEVOPS_RESOURCE,
                 "--query", "accessToken", "-o", "tsv"]  # fmt: skip


def connect(
    organization_url: str,
    project_name: str,
    resource_group: str,
    connections: Mapping[str, str],
    runner: Callable[[Sequence[str]], str],
) -> list[str]:
    """Create each service connection (name -> identity) and trust it on the identity."""
    token = runner(TOKEN_COMMAND).strip()
    tenant, subscription_id, subscription_name = runner(SUBSCRIPTION_COMMAND).strip().split("\t")
    subscription = Subscription(tenant, subscription_id, subscription_name)
    project = Project(organization_url, project_name, token)
    done = []
    for name, identity in connections.items():
        client_id = runner(identity_client_id_command(identity, resource_group)).strip()
        outcome, issuer, subject = ensure_service_connection(project, name, client_id, subscription)
        runner(federated_credential_command(identity, resource_group, name, issuer, subject))
        done.append(f"{name}: {outcome}, trusted by {identity} ({client_id})")
    return done


def _read(path: Path, missing: str) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.azure_devops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    comment = commands.add_parser("pr-comment", help="create or edit our comment on the PR")
    comment.add_argument("--marker", required=True, help="which comment (e.g. eval-gate)")
    comment.add_argument("--title", default="", help="a heading above the body (optional)")
    comment.add_argument("--body-file", type=Path, required=True)
    item = commands.add_parser("work-item", help="open or update the monitor's work item")
    item.add_argument("--report", type=Path, default=Path("reports/monitor.md"))
    item.add_argument("--tag", default="monitor-regression")
    item.add_argument("--type", default=os.environ.get("WORK_ITEM_TYPE", "Issue"))
    item.add_argument("--title", default="Production monitor: regression")
    setup = commands.add_parser(
        "connect", help="create the service connections and trust them on the identities"
    )
    setup.add_argument("--organization-url", required=True, help="https://dev.azure.com/<org>")
    setup.add_argument("--project", required=True, help="the Azure DevOps project's name")
    setup.add_argument("--resource-group", required=True, help="where the identities are")
    setup.add_argument(
        "--connection",
        action="append",
        required=True,
        metavar="NAME=IDENTITY",
        help="a service connection and the managed identity it signs in as (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "connect":
            pairs = dict(item.split("=", 1) for item in args.connection if "=" in item)
            if len(pairs) != len(args.connection):
                raise ValueError("--connection takes NAME=IDENTITY")
            from deploy.azure import AzureError, run_az

            try:
                lines = connect(
                    args.organization_url, args.project, args.resource_group, pairs, run_az
                )
            except AzureError as exc:
                raise AzureDevOpsError(str(exc)) from exc
            print("\n".join(lines))
            return 0
        project = Project.from_env()
        if args.command == "pr-comment":
            number = os.environ.get("SYSTEM_PULLREQUEST_PULLREQUESTID", "")
            if not number.isdigit():
                raise ValueError("not a pull-request build (SYSTEM_PULLREQUEST_PULLREQUESTID)")
            text = _read(args.body_file, "")
            outcome = pr_comment(
                project, number, args.marker, comment_body(args.marker, args.title, text)
            )
            print(f"pull request {number}: comment {outcome}")
        else:
            report = _read(
                args.report,
                "## Production monitor failed\n\nThe monitor produced no report; "
                "see the run log.\n",
            )
            outcome, number_ = open_or_update_work_item(
                project, args.title, report, args.tag, args.type
            )
            print(f"work item {number_}: {outcome}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AzureDevOpsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
