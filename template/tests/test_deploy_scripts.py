"""The scripts the monitor, refresh-index, deploy and template-update workflows call."""

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy import image, index_refresh, infra, monitor, template_update

CONFIG = monitor.MonitorConfig()
BASELINE = monitor.Period(7000, 35, 800.0, 0.9, 0.8)


def test_monitor_finds_no_regression_in_a_normal_day() -> None:
    assert monitor.assess(monitor.Period(1000, 5, 820.0, 0.89, 0.79), BASELINE, CONFIG) == []


def test_monitor_flags_each_kind_of_regression() -> None:
    findings = monitor.assess(monitor.Period(1000, 60, 1200.0, 0.8, 0.6), BASELINE, CONFIG)
    assert [f.split()[0] for f in findings] == ["failure", "p95", "online", "positive"]
    drift = monitor.assess(monitor.Period(5000, 10, 800.0, 0.9, 0.8), BASELINE, CONFIG)
    assert drift and drift[0].startswith("usage drift")
    quiet = monitor.assess(monitor.Period(10, 0, 800.0), BASELINE, CONFIG)
    assert quiet and quiet[0].startswith("not enough traffic")


def test_monitor_config_rejects_typos(tmp_path: Path) -> None:
    assert monitor.load_config().current_hours == 24
    bad = tmp_path / "monitor.toml"
    bad.write_text("[monitor]\ncurent_hours = 12\n")
    with pytest.raises(ValueError, match="unknown key"):
        monitor.load_config(bad)


def test_monitor_issue_is_opened_once_then_commented(tmp_path: Path) -> None:
    report = tmp_path / "monitor.md"
    opened = monitor.issue_commands("o/r", report, None)
    assert opened[-1][:3] == ["gh", "issue", "create"]
    assert "--label" in opened[-1] and monitor.LABEL in opened[-1]
    assert monitor.issue_commands("o/r", report, "12") == [
        ["gh", "issue", "comment", "12", "--repo", "o/r", "--body-file", str(report)]
    ]


def test_the_regression_issue_links_the_workbook_once(tmp_path: Path) -> None:
    report = tmp_path / "monitor.md"
    report.write_text("## Production monitor: regression\n\n- p95 up\n", encoding="utf-8")
    workbook = (
        "/subscriptions/s/resourceGroups/rg-x/providers/Microsoft.Insights/workbooks/"
        "0c1d2e3f-0000-4000-8000-000000000000"
    )
    sent: list[list[str]] = []

    def runner(command: list[str]) -> str:
        sent.append(command)
        return ""  # no open issue yet

    monitor.open_or_update_issue("o/r", report, runner, workbook_id=workbook)
    monitor.open_or_update_issue("o/r", report, runner, workbook_id=workbook)
    body = report.read_text(encoding="utf-8")
    assert body.count(monitor.workbook_url(workbook)) == 1
    assert "portal.azure.com/#resource/subscriptions/s/resourceGroups/rg-x/" in body
    assert any(c[:3] == ["gh", "issue", "create"] and str(report) in c for c in sent)
    # no workbook variable (not provisioned yet): the report is sent as it is
    plain = tmp_path / "plain.md"
    plain.write_text("x\n", encoding="utf-8")
    monitor.open_or_update_issue("o/r", plain, runner, workbook_id="")
    assert plain.read_text(encoding="utf-8") == "x\n"


def test_index_alias_switches_only_after_the_eval_passes(tmp_path: Path) -> None:
    switched: list[str] = []
    seen: list[str] = []

    def execute(command: Sequence[str], env: dict[str, str]) -> int:
        seen.append(env["APP_AZURE_SEARCH_INDEX"])  # the name the app reads
        return 1 if command[0] == "fail" else 0

    with pytest.raises(RuntimeError, match="alias docs unchanged"):
        index_refresh.refresh("docs", "7", ["ingest"], ["fail"], switched.append, execute)
    assert switched == [] and seen == ["docs-v7", "docs-v7"]
    index_refresh.refresh("docs", "8", ["ingest"], ["eval"], switched.append, execute)
    assert switched == ["docs-v8"]


def test_index_alias_backends() -> None:
    command = index_refresh.alias_command("srch-chat", "docs", "docs-v8")
    assert command[:4] == ["az", "rest", "--method", "put"]
    assert "https://srch-chat.search.windows.net/aliases/docs?api-version=" in command[5]
    assert command[-1] == '{"name": "docs", "indexes": ["docs-v8"]}'
    with pytest.raises(ValueError):
        index_refresh.index_name("Docs", "1")


def test_image_is_built_once_in_the_registry() -> None:
    assert image.build_command("crchat", "ca-chat", "abc123", "Dockerfile") == [
        "az", "acr", "build", "--registry", "crchat", "--image", "ca-chat:abc123",
        "--file", "Dockerfile", ".",
    ]  # fmt: skip
    # prod: the private registry builds on its agent pool inside the VNet
    pooled = image.build_command("crchat", "ca-chat", "abc123", "Dockerfile", "build")
    assert pooled[pooled.index("--agent-pool") + 1] == "build"
    with pytest.raises(ValueError):
        image.build_command("cr", "ca-chat", "abc", "Dockerfile")
    with pytest.raises(ValueError):
        image.build_command("crchat", "ca-chat", "abc", "Dockerfile", "--yes")


def test_template_update_spots_conflict_markers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "conflicted.py").write_text(
        "<<<<<<< before\nx = 1\n=======\nx = 2\n>>>>>>> after\n"
    )
    assert template_update.conflicted(["clean.py", "conflicted.py", "gone.py"]) == ["conflicted.py"]
    (tmp_path / ".copier-answers.yml").write_text("_commit: v1.2.0\n_src_path: x\n")
    assert template_update.template_commit() == "v1.2.0"


def test_template_update_installs_genaiops_from_the_recorded_repository(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".copier-answers.yml").write_text(
        "_commit: v1.2.0\n_src_path: https://github.com/genaiops/genaiops.git\n"
    )
    tags = "a\trefs/tags/v1.2.0\nb\trefs/tags/v1.10.0\nc\trefs/tags/v1.9.3\nd\trefs/tags/latest\n"

    def run(command: Sequence[str]) -> template_update.subprocess.CompletedProcess[str]:
        assert command == [
            "git",
            "ls-remote",
            "--tags",
            "--refs",
            "https://github.com/genaiops/genaiops.git",
        ]
        return template_update.subprocess.CompletedProcess(command, 0, tags, "")

    assert template_update.genaiops_command(run) == [
        "uvx", "--from", "git+https://github.com/genaiops/genaiops.git@v1.10.0", "genaiops",
    ]  # fmt: skip
    (tmp_path / ".copier-answers.yml").write_text("_src_path: /some/local/checkout\n")
    with pytest.raises(RuntimeError, match="no canonical template URL"):
        template_update.genaiops_command(run)


def test_reprovisioning_tells_the_iac_the_app_exists_so_production_keeps_its_image(
    monkeypatch,
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    monkeypatch.setenv("AZURE_CONTAINERAPP_NAME", "ca-chat")
    monkeypatch.setenv("AZURE_RESOURCE_GROUP", "rg-chat")
    monkeypatch.setenv("GITHUB_REPOSITORY", "contoso/chat")
    for name in infra.BACKEND_VARS:
        monkeypatch.setenv(name, "x")
    calls: list[tuple[list[str], dict[str, str]]] = []

    def runner(command, environment):
        calls.append((list(command), dict(environment)))
        return infra.subprocess.CompletedProcess(command, 0, "ca-chat\n", "")

    assert infra.main(["provision", "--env", "prod"], runner=runner) == 0
    (probe, _), *rest = calls
    assert probe == infra.app_exists_command("ca-chat", "rg-chat")
    applied = rest[-1]
    assert applied[1]["SERVICE_API_RESOURCE_EXISTS"] == "true"  # Bicep keeps image + traffic
    assert applied[1]["TF_VAR_apim_public_network_access_enabled"] == "false"
    if infra.flavour() == "bicep":
        assert applied[0][:4] == ["az", "deployment", "sub", "create"]
    else:
        assert applied[0][2] == "apply" and "-var-file=env/prod.tfvars" in applied[0]
        (infra.INFRA / "backend_override.tf").unlink()


def test_infra_preview_is_read_only_and_skips_without_terraform_state(monkeypatch, capsys) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    command = infra.bicep_command("preview", Path("infra/env/prod.bicepparam"), "x", "n")
    assert command[:4] == ["az", "deployment", "sub", "what-if"]
    assert command[-2:] == ["--validation-level", "ProviderNoRbac"]
    with pytest.raises(infra.Skip, match="TF_BACKEND_RESOURCE_GROUP"):
        infra.terraform_commands("preview", Path("infra/env/prod.tfvars"), {})


def _graph_runner(calls: list[list[str]], existing: bool = False) -> Any:
    """A stand-in for az: object ids per app/client id, Graph POSTs recorded."""
    ids = {"aaaaaaaa-0000-0000-0000-000000000001": "api-sp", "deploy-cid": "deploy-sp"}
    ids["monitor-cid"] = "monitor-sp"

    def run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        calls.append(list(command))
        if command[:4] == ["az", "ad", "sp", "show"]:
            return subprocess.CompletedProcess(command, 0, ids[command[5]] + "\n", "")
        if command[:2] == ["az", "rest"] and existing:
            message = "Permission being assigned already exists on the object"
            return subprocess.CompletedProcess(command, 1, "", message)
        return subprocess.CompletedProcess(command, 0, "{}", "")

    return run


def test_entra_app_declares_the_role_the_deployed_app_requires() -> None:
    from deploy import azure_setup, contract

    create = azure_setup.entra_app_commands("chat-api")[0]
    roles = json.loads(create[create.index("--app-roles") + 1])
    assert [r["value"] for r in roles] == [contract.API_APP_ROLE]
    assert set(roles[0]["allowedMemberTypes"]) == {"Application", "User"}
    assert roles[0]["id"] == azure_setup.API_APP_ROLE_ID  # stable across runs


@pytest.mark.parametrize("existing", [False, True])
def test_entra_callers_assigns_the_app_role_to_every_caller(tmp_path: Path, existing) -> None:
    from deploy import azure_setup, contract

    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {"AZURE_DEPLOY_CLIENT_ID": "deploy-cid", "AZURE_MONITOR_CLIENT_ID": "monitor-cid"}
        )
    )
    calls: list[list[str]] = []
    code = azure_setup.main(
        [
            "entra-callers",
            "--outputs",
            str(outputs),
            "--audience",
            "api://aaaaaaaa-0000-0000-0000-000000000001",
        ],
        run=_graph_runner(calls, existing),
    )
    assert code == 0  # an assignment that already exists is kept, not an error
    posts = [c for c in calls if c[:2] == ["az", "rest"]]
    bodies = [json.loads(c[c.index("--body") + 1]) for c in posts]
    assert {b["principalId"] for b in bodies} == {f"{n}-sp" for n in contract.APP_CALLERS}
    assert {b["appRoleId"] for b in bodies} == {azure_setup.API_APP_ROLE_ID}
    assert all(
        "/servicePrincipals/api-sp/appRoleAssignedTo" in c[c.index("--uri") + 1] for c in posts
    )


def test_entra_callers_refuses_missing_outputs_and_changes_nothing(tmp_path: Path, capsys) -> None:
    from deploy import azure_setup

    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"AZURE_DEPLOY_CLIENT_ID": "deploy-cid"}))
    calls: list[list[str]] = []
    argv = ["entra-callers", "--outputs", str(outputs), "--audience", "api://x"]
    assert azure_setup.main(argv, run=_graph_runner(calls)) == 2
    assert "AZURE_MONITOR_CLIENT_ID" in capsys.readouterr().err
    assert not [c for c in calls if c[0] == "az"]
