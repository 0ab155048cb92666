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
from collections.abc import Mapping, Sequence
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

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        base = self.collection.rstrip("/") + "/" + urllib.parse.quote(self.project, safe="")
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
    ) -> Any:
        url = self.url(path, query)
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
    return f"{marker(name)}\n### {title}\n\n{text.strip() or '(no summary produced)'}\n"


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


def _read(path: Path, missing: str) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.azure_devops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    comment = commands.add_parser("pr-comment", help="create or edit our comment on the PR")
    comment.add_argument("--marker", required=True, help="which comment (e.g. eval-gate)")
    comment.add_argument("--title", required=True)
    comment.add_argument("--body-file", type=Path, required=True)
    item = commands.add_parser("work-item", help="open or update the monitor's work item")
    item.add_argument("--report", type=Path, default=Path("reports/monitor.md"))
    item.add_argument("--tag", default="monitor-regression")
    item.add_argument("--type", default=os.environ.get("WORK_ITEM_TYPE", "Issue"))
    item.add_argument("--title", default="Production monitor: regression")
    args = parser.parse_args(argv)
    try:
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
