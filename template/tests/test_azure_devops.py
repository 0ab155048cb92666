"""deploy/azure_devops.py against a local stand-in that answers like the Azure DevOps REST API."""

import json
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy import azure_devops


class _Handler(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, Any]]
    answers: dict[tuple[str, str], Any]

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = self.path.split("?", 1)[0]
        self.calls.append((self.command, self.path, body))
        if self.headers.get("Authorization") != "Bearer job-token":
            self.send_response(203)  # what Azure DevOps does: a sign-in page
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>sign in</html>")
            return
        payload = json.dumps(self.answers.get((self.command, path), {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _answer


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"calls": [], "answers": {}})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/contoso/", handler
    finally:
        httpd.shutdown()


def project(url: str, bearer: str = "job-token") -> azure_devops.Project:
    return azure_devops.Project(url, "proj-id", bearer, "repo-id")


THREADS = "/contoso/proj-id/_apis/git/repositories/repo-id/pullRequests/7/threads"


def test_pr_comment_is_created_once_then_edited(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    body = azure_devops.comment_body("eval-gate", "Offline eval gate: Succeeded", "| m |")
    assert azure_devops.pr_comment(project(url), "7", "eval-gate", body) == "created"
    method, path, sent = handler.calls[-1]
    assert (method, path) == ("POST", THREADS + "?api-version=7.1")
    assert sent == {
        "comments": [{"parentCommentId": 0, "content": body, "commentType": 1}],
        "status": 1,
    }
    handler.answers[("GET", THREADS)] = {
        "value": [
            {"id": 3, "comments": [{"id": 1, "content": "someone else"}]},
            {"id": 5, "comments": [{"id": 1, "content": body}]},
        ]
    }
    assert azure_devops.pr_comment(project(url), "7", "eval-gate", body) == "updated"
    assert handler.calls[-1] == (
        "PATCH",
        THREADS + "/5/comments/1?api-version=7.1",
        {"content": body},
    )


def test_a_missing_token_is_a_clear_error_not_a_sign_in_page(
    server: tuple[str, type[_Handler]],
) -> None:
    url, _ = server
    with pytest.raises(azure_devops.AzureDevOpsError, match="not JSON"):
        azure_devops.pr_comment(project(url, "wrong"), "7", "eval-gate", "x")
    with pytest.raises(ValueError, match=r"SYSTEM_ACCESSTOKEN: \$\(System.AccessToken\)"):
        azure_devops.Project.from_env({"SYSTEM_COLLECTIONURI": url, "SYSTEM_TEAMPROJECTID": "p"})


def test_the_token_never_goes_to_a_plain_http_host() -> None:
    with pytest.raises(ValueError, match="https"):
        azure_devops.Project("http://dev.azure.com/contoso/", "p", "t")


def test_work_item_is_opened_once_then_updated(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.answers[("POST", "/contoso/proj-id/_apis/wit/workitems/$Issue")] = {"id": 12}
    outcome = azure_devops.open_or_update_work_item(
        project(url), "Production monitor: regression", "| p95 | 2400 |", "monitor-regression"
    )
    assert outcome == ("opened", 12)
    query = handler.calls[0][2]["query"]
    assert "[System.Tags] CONTAINS 'monitor-regression'" in query
    assert "[System.State] <> 'Closed'" in query
    method, path, ops = handler.calls[1]
    assert (method, path) == ("POST", "/contoso/proj-id/_apis/wit/workitems/$Issue?api-version=7.1")
    assert {op["path"]: op["value"] for op in ops} == {
        "/fields/System.Title": "Production monitor: regression",
        "/fields/System.Description": "<pre>| p95 | 2400 |</pre>",
        "/fields/System.Tags": "monitor-regression",
    }
    handler.answers[("POST", "/contoso/proj-id/_apis/wit/wiql")] = {"workItems": [{"id": 12}]}
    assert azure_devops.open_or_update_work_item(
        project(url), "t", "<b>new</b>", "monitor-regression"
    ) == ("updated", 12)
    assert handler.calls[-1] == (
        "PATCH",
        "/contoso/proj-id/_apis/wit/workitems/12?api-version=7.1",
        [
            {
                "op": "add",
                "path": "/fields/System.History",
                "value": "<pre>&lt;b&gt;new&lt;/b&gt;</pre>",
            }
        ],
    )


def test_pull_request_is_opened_then_commented(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    prs = "/contoso/proj-id/_apis/git/repositories/repo-id/pullrequests"
    handler.answers[("POST", prs)] = {"pullRequestId": 31}
    assert azure_devops.open_or_update_pull_request(
        project(url), "genaiops/template-update", "main", "Update", "body"
    ) == ("opened", 31)
    listed = handler.calls[0][1]
    assert "searchCriteria.sourceRefName=refs%2Fheads%2Fgenaiops%2Ftemplate-update" in listed
    assert "searchCriteria.status=active" in listed
    assert handler.calls[1][2] == {
        "sourceRefName": "refs/heads/genaiops/template-update",
        "targetRefName": "refs/heads/main",
        "title": "Update",
        "description": "body",
    }
    handler.answers[("GET", prs)] = {"value": [{"pullRequestId": 31}]}
    assert azure_devops.open_or_update_pull_request(
        project(url), "genaiops/template-update", "main", "Update", "again"
    ) == ("updated", 31)
    assert handler.calls[-1][1] == (
        "/contoso/proj-id/_apis/git/repositories/repo-id/pullRequests/31/threads?api-version=7.1"
    )


def test_connect_creates_each_connection_and_trusts_it_on_its_identity(
    server: tuple[str, type[_Handler]],
) -> None:
    url, handler = server
    handler.answers[("GET", "/contoso/_apis/projects/shop")] = {"id": "proj-id", "name": "shop"}
    federation = {
        "workloadIdentityFederationIssuer": "https://login.microsoftonline.com/tenant/v2.0",
        "workloadIdentityFederationSubject": "/eid1/c/pub/t/x/a/y/sc/org-id/sc-id",
    }
    handler.answers[("POST", "/contoso/_apis/serviceendpoint/endpoints")] = {
        "authorization": {"scheme": "WorkloadIdentityFederation", "parameters": federation}
    }
    ran: list[list[str]] = []

    def runner(command: Sequence[str]) -> str:
        ran.append(list(command))
        if command[:3] == ["az", "account", "get-access-token"]:
            return "job-token\n"
        if command[:3] == ["az", "account", "show"]:
            return "tenant\tsub-id\tProduction\n"
        return "client-123\n"  # az identity show ... clientId

    lines = azure_devops.connect(url, "shop", "rg", {"genaiops-deploy": "id-deploy"}, runner)
    assert lines == ["genaiops-deploy: created, trusted by id-deploy (client-123)"]
    created = next(c for c in handler.calls if c[0] == "POST")
    assert created[1] == "/contoso/_apis/serviceendpoint/endpoints?api-version=7.1"
    body = created[2]
    assert body["authorization"] == {
        "scheme": "WorkloadIdentityFederation",
        "parameters": {"serviceprincipalid": "client-123", "tenantid": "tenant"},
    }
    assert "serviceprincipalkey" not in json.dumps(body)  # no secret of any kind
    assert body["data"]["creationMode"] == "Manual"
    assert body["serviceEndpointProjectReferences"][0]["projectReference"]["id"] == "proj-id"
    expected = (
        "az identity federated-credential create --name genaiops-deploy"
        " --identity-name id-deploy --resource-group rg"
    ).split()
    expected += ["--issuer", federation["workloadIdentityFederationIssuer"]]
    expected += ["--subject", federation["workloadIdentityFederationSubject"]]
    expected += ["--audiences", "api://AzureADTokenExchange"]
    assert ran[-1] == expected


def test_connect_refuses_a_connection_with_a_secret(server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.answers[("GET", "/contoso/shop/_apis/serviceendpoint/endpoints")] = {
        "value": [{"authorization": {"scheme": "ServicePrincipal", "parameters": {}}}]
    }
    with pytest.raises(azure_devops.AzureDevOpsError, match="workload identity federation"):
        azure_devops.ensure_service_connection(
            azure_devops.Project(url, "shop", "job-token"),
            "genaiops-eval",
            "client-1",
            azure_devops.Subscription("t", "s", "n"),
        )
