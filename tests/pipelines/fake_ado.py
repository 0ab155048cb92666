"""A stand-in for the Azure DevOps REST API, for the calls a generated repository makes.

It mirrors the real interface for those calls only: the routes under
``{collection}{project}/_apis/`` with ``api-version=7.1``, bearer authentication (a wrong or
missing token gets what Azure DevOps sends, HTTP 203 with an HTML sign-in page), JSON bodies,
``application/json-patch+json`` for work items, and the response fields callers read
(``value``, ``id``, ``pullRequestId``, ``workItems``). Behind it, pull requests with their
threads and work items live in memory; every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "job-access-token"
PROJECT = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"
REPOSITORY = "2f3d611a-f012-4b39-b157-8db63f380226"
PATCH_TYPE = "application/json-patch+json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class AzureDevOps:
    """What the fake holds: pull requests (with threads) and work items."""

    pull_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    work_items: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    next_id: int = 100

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def add_pull_request(self, number: int, source: str, target: str = "main") -> None:
        self.pull_requests[number] = {
            "pullRequestId": number,
            "sourceRefName": f"refs/heads/{source}",
            "targetRefName": f"refs/heads/{target}",
            "status": "active",
            "title": "",
            "threads": [],
        }


class _Handler(BaseHTTPRequestHandler):
    state: AzureDevOps
    prefix: str  # /<org>/<project>/_apis/

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, payload: Any, kind: str = "application/json") -> None:
        data = (json.dumps(payload) if kind.startswith("application/json") else payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"message": message, "typeKey": "FakeAzureDevOpsError"})

    def _handle(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.state.requests.append(Request(self.command, parts.path, query, body))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(203, "<html><body>Sign in</body></html>", "text/html")
            return
        if query.get("api-version") != "7.1":
            self._error(400, f"unsupported api-version {query.get('api-version')!r}")
            return
        if not parts.path.startswith(self.prefix):
            self._error(404, f"no project at {parts.path}")
            return
        route = parts.path[len(self.prefix) :]
        kind = (self.headers.get("Content-Type") or "").split(";")[0]
        try:
            status, payload = self._route(route, query, body, kind)
        except (KeyError, TypeError, ValueError) as exc:
            status, payload = 400, {"message": f"bad request: {exc}"}
        self._send(status, payload)

    do_GET = do_POST = do_PATCH = _handle

    def _route(self, route: str, query: dict[str, str], body: Any, kind: str) -> tuple[int, Any]:
        state = self.state
        repo = f"git/repositories/{REPOSITORY}/"
        if self.command in ("POST", "PATCH") and route.startswith("wit/workitems"):
            if kind != PATCH_TYPE:
                return 415, {"message": f"work items take {PATCH_TYPE}, not {kind}"}
        elif self.command in ("POST", "PATCH") and kind != "application/json":
            return 415, {"message": f"expected application/json, got {kind}"}
        if m := re.fullmatch(re.escape(repo) + r"pullRequests/(\d+)/threads", route):
            pr = state.pull_requests[int(m.group(1))]
            if self.command == "GET":
                return 200, {"value": pr["threads"], "count": len(pr["threads"])}
            comments = body["comments"]
            assert comments[0]["parentCommentId"] == 0 and comments[0]["commentType"] == 1
            thread = {
                "id": state.new_id(),
                "status": "active" if body.get("status") == 1 else body.get("status"),
                "comments": [{"id": 1, "content": comments[0]["content"]}],
            }
            pr["threads"].append(thread)
            return 200, thread
        if m := re.fullmatch(
            re.escape(repo) + r"pullRequests/(\d+)/threads/(\d+)/comments/(\d+)", route
        ):
            pr = state.pull_requests[int(m.group(1))]
            thread = next(t for t in pr["threads"] if t["id"] == int(m.group(2)))
            comment = next(c for c in thread["comments"] if c["id"] == int(m.group(3)))
            comment["content"] = body["content"]
            comment["edited"] = comment.get("edited", 0) + 1
            return 200, comment
        if route == repo + "pullrequests":
            if self.command == "GET":
                found = [
                    {k: v for k, v in pr.items() if k != "threads"}
                    for pr in state.pull_requests.values()
                    if pr["status"] == query.get("searchCriteria.status", pr["status"])
                    and pr["sourceRefName"]
                    == query.get("searchCriteria.sourceRefName", pr["sourceRefName"])
                    and pr["targetRefName"]
                    == query.get("searchCriteria.targetRefName", pr["targetRefName"])
                ]
                return 200, {"value": found, "count": len(found)}
            number = state.new_id()
            state.pull_requests[number] = {
                "pullRequestId": number,
                "sourceRefName": body["sourceRefName"],
                "targetRefName": body["targetRefName"],
                "title": body["title"],
                "description": body["description"],
                "status": "active",
                "threads": [],
            }
            return 201, {"pullRequestId": number, "status": "active"}
        if route == "wit/wiql" and self.command == "POST":
            tag = re.search(r"\[System\.Tags\] CONTAINS '([^']*)'", body["query"])
            closed = re.findall(r"\[System\.State\] <> '([^']*)'", body["query"])
            assert tag and "@project" in body["query"], body["query"]
            ids = sorted(
                (
                    n
                    for n, item in state.work_items.items()
                    if tag.group(1) in item["fields"]["System.Tags"].split("; ")
                    and item["fields"]["System.State"] not in closed
                ),
                reverse=True,
            )
            return 200, {"workItems": [{"id": n} for n in ids]}
        if m := re.fullmatch(r"wit/workitems/\$([\w%]+)", route):
            fields = {op["path"].removeprefix("/fields/"): op["value"] for op in body}
            assert all(op["op"] == "add" for op in body)
            number = state.new_id()
            item_type = urllib.parse.unquote(m.group(1))
            fields.update({"System.WorkItemType": item_type, "System.State": "To Do"})
            state.work_items[number] = {"id": number, "fields": fields, "history": []}
            return 200, {"id": number, "fields": fields}
        if m := re.fullmatch(r"wit/workitems/(\d+)", route):
            item = state.work_items[int(m.group(1))]
            for op in body:
                if op["path"] == "/fields/System.History":
                    item["history"].append(op["value"])
                else:
                    item["fields"][op["path"].removeprefix("/fields/")] = op["value"]
            return 200, {"id": item["id"], "fields": item["fields"]}
        return 404, {"message": f"no route {self.command} {route}"}


@contextmanager
def serve(
    state: AzureDevOps | None = None, org: str = "contoso"
) -> Iterator[tuple[str, AzureDevOps]]:
    """Serve the fake on loopback; yields (collection URL, state)."""
    held = state or AzureDevOps()
    handler = type("Handler", (_Handler,), {"state": held, "prefix": f"/{org}/{PROJECT}/_apis/"})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/{org}/", held
    finally:
        httpd.shutdown()
        httpd.server_close()


def pipeline_env(collection: str, **extra: str) -> dict[str, str]:
    """The predefined variables an Azure Pipelines job sees (those the repo reads)."""
    return {
        "TF_BUILD": "True",
        "SYSTEM_COLLECTIONURI": collection,
        "SYSTEM_TEAMPROJECTID": PROJECT,
        "BUILD_REPOSITORY_ID": REPOSITORY,
        "SYSTEM_ACCESSTOKEN": TOKEN,
        **extra,
    }
