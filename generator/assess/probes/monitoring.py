"""Monitoring & feedback: logs, health → traces, tokens, latency → online eval, feedback,
alerts → drift against the baseline, cost controls."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess.probes import probe
from generator.assess.probes._util import fail, gate_findings, hit_ok, run_ok
from generator.assess.probes.evaluation import is_online
from generator.assess.workflows import disabled

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding
    from generator.assess.workflows import StepRun

LOGGING = re.compile(
    r"logging\.(basicConfig|config\.dictConfig|config\.fileConfig)\s*\(|"
    r"\b(?:structlog|loguru\.logger|logger)\.(?:configure|add)\s*\(|dictConfig\s*\(|"
    r"configure_azure_monitor\s*\(|LoggingInstrumentor|setup_logging\s*\(|"
    r"google\.cloud\.logging|logging\.getLogger\([^)]*\)\.(?:addHandler|setLevel)\(|"
    r"\.addHandler\s*\(|^[ \t]*import structlog|"
    # a module logger the app writes to (configuration may come from the server or OTel)
    r"^\w+\s*=\s*logging\.getLogger\(|^[ \t]*from loguru import logger",
    re.M,
)
PLATFORM_LOGS = re.compile(
    r"diagnosticSettings|azurerm_monitor_diagnostic_setting|Microsoft\.Insights/components|"
    r"azurerm_application_insights\b|Microsoft\.OperationalInsights/workspaces|"
    r"azurerm_log_analytics_workspace|google_logging_\w+|aws_cloudwatch_log_group|"
    r"logs\.LogGroup\("
)
# a health route or a health probe declared for the platform (IaC, Kubernetes, compose)
HEALTH = re.compile(
    r"(?:\.(?:get|route|api_route|add_api_route|add_route|head)|\bpath|HandleFunc|Get)\s*\(\s*"
    r"[\"'](/health\w*|/healthz|/ready\w*|/livez|/ping|/status)[\"']"
)
HEALTH_PROBE = re.compile(
    r"\b(?:livenessProbe|readinessProbe|startupProbe|healthCheckPath|health_check_path|"
    r"healthcheck|type:\s*'?(?:Liveness|Readiness|Startup))\b",
    re.I,
)
TRACING = re.compile(
    r"^[ \t]*(from|import)[ \t]+(opentelemetry|azure\.monitor\.opentelemetry|langfuse|langsmith|"
    r"promptflow\.tracing|mlflow|traceloop|openlit|openinference|logfire|phoenix|weave|"
    r"google\.cloud\.trace)\b|configure_azure_monitor\s*\(|start_as_current_span|"
    r"Traceloop\.init|otel_to_cloud\s*=\s*True|@traceable\b|langfuse\.|"
    r"\bOTEL_EXPORTER_OTLP_\w+|APPLICATIONINSIGHTS_CONNECTION_STRING|LANGCHAIN_TRACING_V2|"
    r"LANGSMITH_TRACING",
    re.M,
)
TOKENS = re.compile(
    r"\.usage\.(?:prompt|completion|input|output|total)_tokens\b|\b(?:prompt|completion|"
    r"input|output|total)_tokens\s*[=:]\s*\w*\.?usage|gen_ai\.usage\.\w+|\btoken_usage\b|"
    r"\busage_metadata\b|get_openai_callback|llm-emit-token-metric|azure-openai-emit-token-metric",
    re.I,
)
LATENCY = re.compile(
    r"\b(?:latency|duration)(?:_ms|_s|_seconds)?\b\s*[=:]|\.record\(|create_histogram\(|"
    r"\bHistogram\(|perf_counter\(\)\s*-|start_as_current_span|@traceable\b",
    re.I,
)
FEEDBACK = re.compile(r"[\"']/feedback[\"']")
REQUEST_ID = re.compile(r"request_id|trace_id|requestId|correlation_id", re.I)
ALERT_IAC = re.compile(
    r"metricAlerts|scheduledQueryRules|activityLogAlerts|azurerm_monitor_metric_alert|"
    r"azurerm_monitor_scheduled_query_rules_alert|azurerm_monitor_activity_log_alert|"
    r"smartDetectorAlertRules"
)
_SEP = r"[\s\"',]+"  # `gh issue create` in a shell line or an argv list ["gh", "issue", ...]
ISSUE = re.compile(
    rf"\bgh{_SEP}issue{_SEP}(create|edit|comment|reopen)\b|issues\.create|issues\.update|"
    r"create-issue|create-an-issue|/issues\b",
    re.I,
)
COST = re.compile(
    r"Microsoft\.Consumption/budgets|azurerm_consumption_budget|llm-token-limit|"
    r"azure-openai-token-limit|token-limit"
)


def iac_files(facts: Facts) -> list[str]:
    return facts.iac_files


@probe("monitoring.logging")
def logging_(facts: Facts) -> list[Finding]:
    hits = facts.repo.grep(LOGGING, facts.app_code, first_only=True, max_hits=1)
    if hits:
        return [hit_ok("monitoring.logging", "logging configured", hits[0])]
    hits = facts.repo.grep(PLATFORM_LOGS, facts.iac_files, first_only=True, max_hits=1)
    if hits:
        return [hit_ok("monitoring.logging", "logs collected by the platform, as code", hits[0])]
    return [fail("monitoring.logging", "no logging configuration in application code")]


@probe("monitoring.health")
def health(facts: Facts) -> list[Finding]:
    hits = facts.repo.grep(HEALTH, facts.app_code, first_only=True, max_hits=1)
    if hits:
        return [hit_ok("monitoring.health", "health endpoint", hits[0])]
    hits = facts.repo.grep(HEALTH_PROBE, facts.config_files, first_only=True, max_hits=1)
    if hits:
        return [hit_ok("monitoring.health", "health probe declared for the platform", hits[0])]
    return [
        fail(
            "monitoring.health",
            "no health endpoint (/health, /healthz, /ready) in application code",
        )
    ]


@probe("monitoring.tracing")
def tracing(facts: Facts) -> list[Finding]:
    hits = facts.repo.grep(TRACING, facts.app_code, first_only=True, max_hits=1) or (
        facts.repo.grep(TRACING, facts.env_files, first_only=True, max_hits=1)
    )
    if hits:
        return [hit_ok("monitoring.tracing", "tracing", hits[0])]
    return [fail("monitoring.tracing", "no OpenTelemetry or LLM tracing in application code")]


@probe("monitoring.usage_metrics")
def usage_metrics(facts: Facts) -> list[Finding]:
    pid = "monitoring.usage_metrics"
    tokens = facts.code_grep(TOKENS, facts.app_code + facts.policy_files)
    latency = facts.code_grep(LATENCY, facts.app_code)
    if tokens and latency:
        return [
            hit_ok(pid, "token usage recorded", tokens[0]),
            hit_ok(pid, "latency recorded", latency[0]),
        ]
    missing = " and ".join(x for x, h in (("token usage", tokens), ("latency", latency)) if not h)
    return [fail(pid, f"application code records no {missing}")]


def scheduled_monitor_runs(facts: Facts) -> list[StepRun]:
    return list(facts.workflows.select(lambda lf: is_online(facts, lf), {"schedule"}))


@probe("monitoring.online_eval")
def online_eval(facts: Facts) -> list[Finding]:
    pid = "monitoring.online_eval"
    runs = scheduled_monitor_runs(facts)
    return gate_findings(
        pid, "scheduled monitor", runs, "no scheduled workflow evaluates or monitors the workload"
    )


@probe("monitoring.feedback")
def feedback(facts: Facts) -> list[Finding]:
    pid = "monitoring.feedback"
    for hit in facts.repo.grep(FEEDBACK, facts.app_code, first_only=True, max_hits=3):
        text = facts.repo.text(hit.path) or ""
        if REQUEST_ID.search(text):
            return [hit_ok(pid, "feedback endpoint tied to a request id", hit)]
        return [
            fail(
                pid,
                "the feedback endpoint does not record a request or trace id",
                hit.path,
                hit.line,
            )
        ]
    return [fail(pid, "no feedback endpoint in application code")]


@probe("monitoring.alerts")
def alerts(facts: Facts) -> list[Finding]:
    pid = "monitoring.alerts"
    hits = facts.repo.grep(ALERT_IAC, iac_files(facts), first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, "alert rule as code", hits[0])]
    for run in scheduled_monitor_runs(facts):
        wf_text = facts.repo.text(run.workflow.path) or ""
        if ISSUE.search(wf_text):
            return [run_ok(pid, "the scheduled monitor opens an issue on regression", run)]
        # a step of its own (`if: failure()`) is the clearer evidence than the monitor step
        issue_runs = sorted(_issue_runs(facts, run), key=lambda r: r.step is run.step)
        if issue_runs:
            what = f"the scheduled monitor (job `{run.job.id}`) opens an issue on regression"
            return [run_ok(pid, what, issue_runs[0])]
    return [
        fail(pid, "no alert rules in IaC and no monitor workflow that opens an issue on regression")
    ]


def _issue_runs(facts: Facts, monitor: StepRun) -> list[StepRun]:
    """Runs of the monitor's workflow that open an issue: in the monitor's job or in a job that
    needs it (``if: failure()``), followed through make targets and scripts; never disabled."""
    out = []
    for run in facts.workflows.runs:
        if (
            run.workflow is not monitor.workflow
            or disabled(run.step.cond)
            or disabled(run.job.cond)
        ):
            continue
        closure = {j.id for _w, j in facts.workflows.job_closure(run.workflow, run.job)}
        if monitor.job.id not in closure:
            continue
        # the files the chain runs, not their whole package: a sibling module that opens
        # issues says nothing about this step
        texts = [facts.repo.text(f) or "" for f in run.leaf.files if f]
        if any(ISSUE.search(t) for t in (" ".join(run.leaf.names()), *texts)):
            out.append(run)
    return out


@probe("monitoring.drift")
def drift(facts: Facts) -> list[Finding]:
    pid = "monitoring.drift"
    for run in scheduled_monitor_runs(facts):
        if not run.gate:
            continue
        _files, text = facts.chain_context(run.leaf)
        if re.search(r"baseline|drift", text, re.I):
            return [run_ok(pid, "scheduled monitoring compares with the baseline", run)]
    return [fail(pid, "no scheduled monitoring compares production quality with the baseline")]


@probe("monitoring.cost")
def cost(facts: Facts) -> list[Finding]:
    hits = facts.repo.grep(
        COST, iac_files(facts) + facts.repo.glob("**/*policy*.xml"), first_only=True, max_hits=1
    )
    if hits:
        return [hit_ok("monitoring.cost", "cost control", hits[0])]
    return [fail("monitoring.cost", "no budget or token limit declared as code")]
