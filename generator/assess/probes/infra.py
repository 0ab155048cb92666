"""Infrastructure as code: declared → parameterised and validated → pinned with identities →
scanned as a gate and applied by pipelines."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from generator.assess.collect import line_of
from generator.assess.facts import uses_steps
from generator.assess.probes import probe
from generator.assess.probes._util import fail, hit_ok, ok, run_not_gate, run_ok
from generator.assess.workflows import CHANGE_EVENTS

if TYPE_CHECKING:
    from generator.assess.chains import Leaf
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

AI_RESOURCE = re.compile(
    r"Microsoft\.CognitiveServices|Microsoft\.Search/|Microsoft\.MachineLearningServices|"
    r"azurerm_cognitive_account|azurerm_cognitive_deployment|azurerm_search_service|"
    r"azurerm_machine_learning_workspace|azurerm_ai_\w+|"
    # other clouds: Vertex AI / Discovery Engine, Bedrock (CDK or Terraform), SageMaker
    r"google_vertex_ai_\w+|google_discovery_engine_\w+|aiplatform\.googleapis\.com|"
    r"aws_bedrock\w*|aws_bedrockagent\w*|aws_sagemaker_\w+|aws_opensearchserverless_\w+|"
    r"aws-cdk-lib/aws-bedrock|aws_bedrock\b|bedrock\.Cfn\w+|CfnKnowledgeBase|CfnGuardrail|"
    r"opensearchserverless"
)
RESOURCE = re.compile(
    r"^[ \t]*resource\s+\w+\s+'[\w./-]+@[\w.-]+'|^[ \t]*resource\s+\"\w+\"\s+\"[\w-]+\"|"
    r"^[ \t]*module\s+\w+\s+'|new\s+\w+\.(?:Cfn)?\w+\(\s*this\s*,",  # Bicep modules, CDK
    re.M,
)
VALIDATE = re.compile(
    r"\bbicep\s+(build|lint)|\baz\s+bicep\s+(build|lint)|terraform\s+(validate|fmt)|\btflint\b|"
    r"\bcheckov\b|ps-?rule|\btfsec\b|trivy\s+config|az\s+deployment\s+\w+\s+(validate|what-if)|"
    r"terraform\s+plan|^(iac|infra|iac-scan|scan-iac|lint-iac|iac-lint|preflight|validate-iac|"
    r"infra-validate|infra-lint|bicep|terraform)$",
    re.I,
)
SCAN = re.compile(
    r"\bcheckov\b|\btfsec\b|trivy\s+config|ps-?rule|^(iac-scan|scan-iac|checkov|scan)$", re.I
)
SCAN_ACTION = re.compile(
    r"bridgecrewio/checkov-action|aquasecurity/tfsec|microsoft/ps-rule|aquasecurity/trivy-action|"
    r"microsoft/security-devops-action|AzureResourceManagerTemplateDeployment|TerraformTask"
)
PROVISION = re.compile(
    r"\bazd\s+(provision|up)\b|az\s+deployment\s+(group|sub|mg|tenant)\s+(create|what-if)|"
    r"terraform\s+(plan|apply)|^(provision|infra-apply|what-if|plan|infra-plan|apply)$",
    re.I,
)


def _files(facts: Facts) -> list[str]:
    return [p for p in facts.iac_files if not p.endswith((".bicepparam", ".tfvars"))]


def _matches(rx: re.Pattern[str]) -> Callable[[Leaf], bool]:
    return lambda leaf: any(rx.search(n) for n in leaf.names())


@probe("infra.iac")
def iac(facts: Facts) -> list[Finding]:
    pid = "infra.iac"
    files = _files(facts)
    declaring = [
        f
        for f in files
        if RESOURCE.search(facts.repo.text(f) or "")
        or (f.endswith(".json") and '"Microsoft.' in (facts.repo.text(f) or ""))
    ]
    if not declaring:
        return [fail(pid, "no Bicep, Terraform or ARM file declares a resource")]
    hits = facts.repo.grep(AI_RESOURCE, declaring, first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, f"{len(declaring)} IaC file(s); AI resource", hits[0])]
    return [
        fail(
            pid,
            f"{len(declaring)} IaC file(s) but none declares an AI resource "
            "(OpenAI, AI Search, ML)",
            declaring[0],
        )
    ]


@probe("infra.params")
def params(facts: Facts) -> list[Finding]:
    pid = "infra.params"
    files = (
        facts.repo.glob("**/*.bicepparam")
        + facts.repo.glob("**/*.parameters.json")
        + facts.repo.glob("**/*.tfvars")
        + facts.repo.glob("**/*.tfvars.json")
    )
    real = [
        f
        for f in files
        if re.search(
            r"^[ \t]*(param\s+\w+\s*=|\w+\s*=)|\"parameters\"\s*:\s*\{\s*\"",
            facts.repo.text(f) or "",
            re.M,
        )
    ]
    for rel in facts.repo.glob("**/cdk.json"):
        data = facts.repo.json(rel)
        context = data.get("context") if isinstance(data, dict) else None
        if isinstance(context, dict) and context:
            real.append(rel)
    if real:
        return [ok(pid, f"parameter files: {', '.join(real[:4])}", real[0])]
    return [fail(pid, "no parameter file (*.bicepparam, *.parameters.json, *.tfvars) with values")]


@probe("infra.validated")
def validated(facts: Facts) -> list[Finding]:
    pid = "infra.validated"
    runs = list(facts.workflows.select(_matches(VALIDATE), CHANGE_EVENTS))
    runs.sort(key=lambda r: not r.gate)  # a gate first; a report that cannot fail still counts
    if runs:
        what = "IaC validated in CI" + ("" if runs[0].gate else f" (not a gate: {runs[0].why_not})")
        return [run_ok(pid, what, runs[0])]
    for wf, job, step, _gate in uses_steps(facts, SCAN_ACTION, CHANGE_EVENTS):
        return [ok(pid, f"job `{job.id}` runs {step.uses}", wf.path, step.line)]
    return [fail(pid, "no CI step builds, validates or scans the IaC")]


@probe("infra.models_pinned")
def models_pinned(facts: Facts) -> list[Finding]:
    pid = "infra.models_pinned"
    out: list[Finding] = []
    for rel in _files(facts):
        text = facts.repo.text(rel) or ""
        for m in re.finditer(
            r"accounts/deployments@|resource\s+\"azurerm_cognitive_deployment\"", text
        ):
            block = text[m.end() : m.end() + 2500]
            model = re.search(r"\bmodel\s*[:=]?\s*\{(.*?)\}", block, re.S)
            line = line_of(text, m.start())
            if (
                model
                and re.search(r"\bname\s*[:=]", model.group(1))
                and re.search(r"\bversion\s*[:=]\s*\S", model.group(1))
            ):
                out.append(ok(pid, "model deployment pinned to a name and version", rel, line))
            else:
                out.append(fail(pid, "model deployment without a pinned model version", rel, line))
    return out or [fail(pid, "no model deployment declared in IaC")]


@probe("infra.identity")
def identity(facts: Facts) -> list[Finding]:
    pid = "infra.identity"
    files = _files(facts)
    roles = facts.repo.grep(
        re.compile(r"Microsoft\.Authorization/roleAssignments|azurerm_role_assignment"), files, True
    )
    ident = facts.repo.grep(
        re.compile(
            r"Microsoft\.ManagedIdentity/userAssignedIdentities|type:\s*'(SystemAssigned|UserAssigned)|"
            r"azurerm_user_assigned_identity|\bidentity\s*\{"
        ),
        files,
        True,
    )
    if roles and ident:
        return [hit_ok(pid, "role assignment", roles[0]), hit_ok(pid, "managed identity", ident[0])]
    missing = " and ".join(
        x for x, h in (("role assignments", roles), ("a managed identity", ident)) if not h
    )
    return [fail(pid, f"no {missing} in IaC")]


@probe("infra.scan_gate")
def scan_gate(facts: Facts) -> list[Finding]:
    pid = "infra.scan_gate"
    runs = list(facts.workflows.select(_matches(SCAN), CHANGE_EVENTS))
    gated = [r for r in runs if r.gate]
    if gated:
        return [run_ok(pid, "IaC security scan gate", gated[0])]
    for wf, job, step, gate in uses_steps(facts, SCAN_ACTION, CHANGE_EVENTS):
        soft = str(step.with_.get("soft_fail", "")).lower() == "true"
        if gate and not soft:
            return [ok(pid, f"job `{job.id}` runs {step.uses}", wf.path, step.line)]
    if runs:
        return [run_not_gate(pid, "IaC scan", r) for r in runs[:3]]
    return [fail(pid, "no IaC security scanner (checkov, tfsec, PSRule) gates CI")]


@probe("infra.provisioned_by_pipeline")
def provisioned(facts: Facts) -> list[Finding]:
    pid = "infra.provisioned_by_pipeline"
    runs = [r for r in facts.workflows.select(_matches(PROVISION)) if r.gate]
    if runs:
        return [run_ok(pid, "infrastructure provisioned by a workflow", runs[0])]
    return [fail(pid, "no workflow previews or applies the infrastructure")]
