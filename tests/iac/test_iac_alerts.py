"""Alerts and the workbook in both IaC flavours run the queries deploy/queries.py owns.

- the rendered infra/monitoring/*.kql are exactly deploy/queries.py SIGNALS (the generated repo's
  own test runs each of them over the envelopes the real exporter sends);
- every alert rule and workbook chart loads one of those files (Bicep ``loadTextContent``,
  Terraform ``file``), never inline KQL, and reads the column its query projects;
- Bicep and Terraform deploy the same rules (measure, aggregation, operator, threshold, severity,
  schedule, split by revision), run as the alerts identity and notify the one action group.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contract_facts as facts
from iac_matrix import FULL_MATRIX, parse_iac, render_contract_matrix

pytestmark = pytest.mark.slow

# the alert resources do not depend on gateway or use case: one per flavour x profile, each
# gateway and use case at least once
CASES = (
    "bicep-dev-none-rag_chat",
    "bicep-prod-apim-summarization",
    "terraform-dev-apim-classification",
    "terraform-prod-none-rag_chat",
)
KQL_FILE = re.compile(r"monitoring/(\w+)\.kql")


def load_queries(repo: Path) -> Any:
    """The rendering's own deploy/queries.py (its imports from that rendering's deploy/)."""
    sys.path.insert(0, str(repo))
    try:
        for name in [m for m in sys.modules if m == "deploy" or m.startswith("deploy.")]:
            del sys.modules[name]
        return facts.load_module(repo / "deploy" / "queries.py", f"queries_{abs(hash(repo))}")
    finally:
        sys.path.remove(str(repo))


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, checkov_bin: str
) -> dict[str, dict[str, Any]]:
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "contract-matrix"
    repos = render_contract_matrix(shared, repo_root)
    parsed = parse_iac(checkov_bin, [repos[name] / "infra" for name in CASES])
    return {
        name: {
            "repo": repos[name],
            "answers": FULL_MATRIX[name],
            "parsed": parsed[str(repos[name] / "infra")],
            "queries": load_queries(repos[name]),
        }
        for name in CASES
    }


def _one(value: Any) -> Any:
    """hcl2 wraps some values in a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _resources(parsed: dict[str, Any], rtype: str) -> list[dict[str, Any]]:
    return [r for r in parsed["resources"] if r["type"] == rtype]


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", text)
    assert match and any(match.groups()), f"not an ISO 8601 duration: {text}"
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _loaded_file(value: Any) -> str:
    """The signal name a query expression loads from infra/monitoring/ (inline KQL: an error)."""
    if isinstance(value, dict):  # Bicep: loadTextContent('../monitoring/<name>.kql')
        function = value.get("function") or {}
        assert function.get("type") == "load_text_content", value
        path = function["parameters"]["file_path"]
    else:  # Terraform: ${file("${path.module}/monitoring/<name>.kql")}
        assert str(value).startswith("${file("), value
        path = str(value)
    match = KQL_FILE.search(path)
    assert match, path
    return match.group(1)


def bicep_rules(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    variables = parsed["variables"]["modules/alerts.bicep"]
    params = parsed["params"]["modules/alerts.bicep"]

    def threshold(value: Any) -> float:
        if isinstance(value, dict):  # json('<decimal>') of a string parameter (no float literal)
            value = value["function"]["parameters"]["arg_1"]
            return float(params[value])
        return float(params[value] if isinstance(value, str) else value)

    by_revision = variables["byRevision"]
    rules = {}
    for rule in variables["rules"]:
        dimensions = rule["dimensions"]
        assert dimensions in ("byRevision", []), dimensions
        rules[rule["name"]] = {
            "signal": _loaded_file(rule["query"]),
            "measure": rule["measure"],
            "aggregation": rule["aggregation"],
            "operator": rule["operator"],
            "threshold": threshold(rule["threshold"]),
            "severity": rule["severity"],
            "frequency": rule["frequency"],
            "window": rule["window"],
            "time_range": rule["timeRange"],
            "by_revision": [d["name"] for d in by_revision] if dimensions else [],
        }
    return rules


def terraform_rules(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    defaults = parsed["params"]["variables.tf"]

    def threshold(value: Any) -> float:
        variable = re.fullmatch(r"\$\{var\.(\w+)\}", str(value))
        return float(_one(defaults[variable.group(1)]) if variable else value)

    (resource,) = _resources(parsed, "azurerm_monitor_scheduled_query_rules_alert_v2")
    dimension = _one(_one(resource["config"]["criteria"])["dynamic"])["dimension"]
    assert "each.value.by_revision" in str(dimension["for_each"])
    rules = {}
    for name, rule in _one(parsed["locals"]["alert_rules"]).items():
        rules[name] = {
            "signal": _loaded_file(rule["query"]),
            "measure": rule["measure"],
            "aggregation": rule["aggregation"],
            "operator": rule["operator"],
            "threshold": threshold(rule["threshold"]),
            "severity": rule["severity"],
            "frequency": rule["frequency"],
            "window": rule["window"],
            "time_range": rule["time_range"],
            "by_revision": ["application_Version"] if rule["by_revision"] else [],
        }
    return rules


def rules_of(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if case["answers"]["iac"] == "bicep":
        return bicep_rules(case["parsed"])
    return terraform_rules(case["parsed"])


def workbook_signals(case: dict[str, Any]) -> list[str]:
    parsed = case["parsed"]
    if case["answers"]["iac"] == "bicep":
        charts = parsed["variables"]["modules/alerts.bicep"]["charts"]
    else:
        charts = _one(parsed["locals"]["workbook_charts"])
    return [_loaded_file(chart["query"]) for chart in charts]


def projected(kql: str) -> list[str]:
    """The columns of a query's final ``| project``."""
    last = kql.strip().splitlines()[-1]
    assert last.startswith("| project "), last
    return [c.strip() for c in last.removeprefix("| project ").split(",")]


def rule_problems(rules: dict[str, dict[str, Any]], queries: Any) -> list[str]:
    """Why a rule would not alert on what its query measures, as sentences."""
    problems = []
    for name, rule in rules.items():
        signal = queries.signal(rule["signal"])
        columns = projected(signal.kql)
        if rule["measure"] != signal.measure or rule["measure"] not in columns:
            problems.append(f"{name}: measures {rule['measure']!r}, the query {columns}")
        wanted = ["application_Version"] if signal.by_revision else []
        if rule["by_revision"] != wanted or not set(wanted) <= set(columns):
            problems.append(f"{name}: split by {rule['by_revision']}, the query by {wanted}")
        frequency, window = _duration(rule["frequency"]), _duration(rule["window"])
        if not frequency <= window <= _duration(rule["time_range"]):
            problems.append(f"{name}: frequency <= window <= query time range does not hold")
    return problems


@pytest.mark.parametrize("name", CASES)
def test_the_iac_deploys_exactly_the_queries_deploy_queries_owns(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    queries = case["queries"]
    assert queries.differences(case["repo"] / "infra" / "monitoring") == []
    names = [s.name for s in queries.SIGNALS]
    # every signal is on the workbook, once; every signal with a measure has one alert rule
    assert sorted(workbook_signals(case)) == sorted(names)
    alerted = sorted(rule["signal"] for rule in rules_of(case).values())
    assert alerted == sorted(s.name for s in queries.SIGNALS if s.measure)
    # no KQL is written inline anywhere in the IaC: only the files are loaded
    infra = case["repo"] / "infra"
    for path in [*infra.rglob("*.bicep"), *infra.glob("*.tf")]:
        text = path.read_text(encoding="utf-8")
        assert "customEvents" not in text and "| summarize" not in text, path


@pytest.mark.parametrize("name", CASES)
def test_each_alert_rule_reads_the_column_its_query_measures(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    assert rule_problems(rules_of(case), case["queries"]) == []


def test_a_rule_on_the_wrong_column_or_split_is_caught(rendered: dict[str, dict[str, Any]]) -> None:
    """Calibration of rule_problems: a misnamed measure, a lost split, a window over the range."""
    case = rendered[CASES[0]]
    rules = rules_of(case)
    rules["error-rate"] = {**rules["error-rate"], "measure": "errorRate"}
    rules["latency-p95"] = {**rules["latency-p95"], "by_revision": []}
    rules["eval-drift"] = {**rules["eval-drift"], "time_range": "PT30M"}
    assert len(rule_problems(rules, case["queries"])) == 3


def test_bicep_and_terraform_deploy_the_same_alert_rules(
    rendered: dict[str, dict[str, Any]],
) -> None:
    bicep = [rules_of(rendered[n]) for n in CASES if n.startswith("bicep")]
    terraform = [rules_of(rendered[n]) for n in CASES if n.startswith("terraform")]
    assert bicep[0] and all(r == bicep[0] for r in bicep + terraform)


@pytest.mark.parametrize("name", CASES)
def test_alerts_run_as_the_alerts_identity_and_notify_the_action_group(
    rendered: dict[str, dict[str, Any]], name: str
) -> None:
    case = rendered[name]
    parsed = case["parsed"]
    if case["answers"]["iac"] == "bicep":
        (rule,) = _resources(parsed, "Microsoft.Insights/scheduledQueryRules")
        config = rule["config"]
        assert config["kind"] == "LogAlert"
        assert "alertsIdentityId" in facts.text(config["identity"])
        assert "actionGroup" in facts.text(config["properties"]["actions"])
        (module,) = [m for m in parsed["modules"] if m["name"] == "alerts"]
        assert "alertsIdentityId" in facts.text(module["config"]["params"]["alertsIdentityId"])
        (test,) = _resources(parsed, "Microsoft.Insights/webtests")
        url = str(test["config"]["properties"]["Request"]["RequestUrl"])
        (ready,) = _resources(parsed, "Microsoft.Insights/metricAlerts")
        assert "readyTest" in facts.text(ready["config"]["properties"]["criteria"])
        assert "actionGroup" in facts.text(ready["config"]["properties"]["actions"])
    else:
        (rule,) = _resources(parsed, "azurerm_monitor_scheduled_query_rules_alert_v2")
        config = rule["config"]
        identity = _one(config["identity"])
        assert _one(identity["type"]) == "UserAssigned"
        assert _one(identity["identity_ids"]) == ["${azurerm_user_assigned_identity.alerts.id}"]
        assert "azurerm_monitor_action_group.main.id" in facts.text(config["action"])
        (test,) = _resources(parsed, "azurerm_application_insights_standard_web_test")
        url = str(_one(_one(test["config"]["request"])["url"]))
        (ready,) = _resources(parsed, "azurerm_monitor_metric_alert")
        assert "standard_web_test.ready.id" in facts.text(ready["config"])
        assert "azurerm_monitor_action_group.main.id" in facts.text(ready["config"]["action"])
    # the availability test probes the readiness route, over the app's own URL
    assert url.endswith("/ready") and ("appUri" in url or "container_app.main" in url), url
