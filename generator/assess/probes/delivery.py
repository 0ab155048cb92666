"""CI/CD & progressive delivery: tests in CI → deploy as code → gated promotion → canary."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.assess.probes import probe
from generator.assess.probes._util import fail, gate_findings, ok, run_ok
from generator.assess.workflows import CHANGE_EVENTS

if TYPE_CHECKING:
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding
    from generator.assess.workflows import Job, StepRun, Workflow

_ROLLBACK_JOB = re.compile(r"\b(failure|cancelled)\s*\(\s*\)", re.I)
_ALWAYS = re.compile(
    r"\balways\s*\(\s*\)|!\s*cancelled\s*\(\s*\)|succeededOrFailed\s*\(\s*\)", re.I
)
_SUCCESS = re.compile(
    r"result\s*==\s*'success'|conclusion\s*==\s*'success'|success\s*\(\s*\)", re.I
)
SMOKE = re.compile(r"smoke|health|readiness|ready|verify|curl|wget|canary|probe", re.I)
PROGRESSIVE = re.compile(
    r"revision-weight|label-weight|--traffic\b|traffic\s+set|setWeight|"
    r"kind:\s*(Rollout|Canary)\b|traffic_weight|\bweights?\b",
    re.I,
)
ROLLBACK = re.compile(r"rollback|roll_back|roll-back|rollout\s+undo", re.I)


def deploy_jobs(facts: Facts) -> list[tuple[Workflow, Job, list[StepRun]]]:
    """Jobs that deploy new code (rollback-only jobs, which run on failure, excluded)."""
    out: dict[tuple[str, str], tuple[Workflow, Job, list[StepRun]]] = {}
    for run in facts.deploy_runs:
        cond = str(run.job.cond or "")
        if _ROLLBACK_JOB.search(cond) or _ROLLBACK_JOB.search(str(run.step.cond or "")):
            continue
        key = (run.workflow.path, run.job.id)
        out.setdefault(key, (run.workflow, run.job, []))[2].append(run)
    return list(out.values())


@probe("delivery.ci_tests")
def ci_tests(facts: Facts) -> list[Finding]:
    pid = "delivery.ci_tests"
    runs = list(facts.workflows.select(facts.is_test, CHANGE_EVENTS))
    return gate_findings(pid, "tests", runs, "no workflow on push/pull_request runs the tests")


@probe("delivery.deploy_as_code")
def deploy_as_code(facts: Facts) -> list[Finding]:
    pid = "delivery.deploy_as_code"
    jobs = deploy_jobs(facts)
    if jobs:
        wf, _job, runs = jobs[0]
        return [run_ok(pid, f"deploys from {wf.path}", runs[0])]
    return [fail(pid, "no workflow (push, tag, workflow_run or dispatch) runs a deploy command")]


@probe("delivery.environment")
def environment(facts: Facts) -> list[Finding]:
    pid = "delivery.environment"
    jobs = deploy_jobs(facts)
    if not jobs:
        return [fail(pid, "no deploy job")]
    out = []
    for wf, job, _ in jobs:
        if job.environment:
            env = (
                job.environment.get("name")
                if isinstance(job.environment, dict)
                else job.environment
            )
            out.append(ok(pid, f"job `{job.id}` deploys to environment `{env}`", wf.path, job.line))
        else:
            out.append(
                fail(pid, f"deploy job `{job.id}` declares no environment", wf.path, job.line)
            )
    return out


def _perm_id_token(perms: object) -> bool:
    return (
        isinstance(perms, dict) and str(perms.get("id-token", "")) == "write"
    ) or perms == "write-all"


@probe("delivery.oidc")
def oidc(facts: Facts) -> list[Finding]:
    pid = "delivery.oidc"
    jobs = deploy_jobs(facts)
    if not jobs:
        return [fail(pid, "no deploy job")]
    out = []
    for wf, job, _ in jobs:
        for step in job.steps:
            creds = {
                k
                for k in step.with_
                if str(k) in ("creds", "client-secret", "password", "auth-type")
            }
            if creds & {"creds", "client-secret", "password"}:
                out.append(
                    fail(
                        pid,
                        f"`{step.uses}` logs in with a stored secret ({', '.join(sorted(creds))})",
                        wf.path,
                        step.line,
                    )
                )
        text = facts.repo.text(wf.path) or ""
        secret = re.search(r"AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS", text)
        if secret:
            out.append(
                fail(pid, f"{wf.path} uses a stored cloud secret ({secret.group(0)})", wf.path)
            )
        connection = next(
            (
                s
                for s in job.steps
                if {
                    "azureSubscription",
                    "connectedServiceNameARM",
                    "azureResourceManagerConnection",
                }
                & set(s.with_)
            ),
            None,
        )
        if wf.system == "azure-pipelines" and connection is not None and not secret:
            out.append(
                ok(
                    pid,
                    f"job `{job.id}` signs in through a service connection (no credential in "
                    "the pipeline; workload identity federation is set on the connection)",
                    wf.path,
                    connection.line,
                )
            )
        elif wf.system == "gitlab" and re.search(r"^[ \t]*id_tokens:", text, re.M):
            out.append(ok(pid, f"job `{job.id}` gets an OIDC token (id_tokens)", wf.path, job.line))
        elif wf.system == "cloud-build" and not secret:
            out.append(
                ok(pid, "Cloud Build runs as its service account (no key in the file)", wf.path, 1)
            )
        elif _perm_id_token(job.permissions) or _perm_id_token(wf.permissions):
            out.append(
                ok(pid, f"job `{job.id}` gets an OIDC token (id-token: write)", wf.path, job.line)
            )
        else:
            out.append(
                fail(
                    pid,
                    f"deploy job `{job.id}` has no `id-token: write` permission",
                    wf.path,
                    job.line,
                )
            )
    return out


def _gates_in(
    facts: Facts,
    members: list[tuple[Workflow, Job]],
    before: dict[str, int] | None = None,
) -> tuple[bool, bool]:
    """Do these jobs hold a gated eval step and a gated test step?"""
    keys = {(w.path, j.id) for w, j in members}
    evals = tests = False
    for run in facts.workflows.runs:
        if (run.workflow.path, run.job.id) not in keys or not run.gate:
            continue
        if before is not None and run.step.index >= before.get(run.job.id, 10**6):
            continue
        evals = evals or (facts.is_eval(run.leaf) and run in facts.eval_gates)
        tests = tests or facts.is_test(run.leaf)
    return evals, tests


@probe("delivery.deploy_needs_eval")
def deploy_needs_eval(facts: Facts) -> list[Finding]:
    pid = "delivery.deploy_needs_eval"
    jobs = deploy_jobs(facts)
    if not jobs:
        return [fail(pid, "no deploy job")]
    out = []
    for wf, job, runs in jobs:
        cond = str(job.cond or "")
        if _ALWAYS.search(cond) and not _SUCCESS.search(cond):
            out.append(
                fail(
                    pid,
                    f"deploy job `{job.id}` runs even when the jobs it needs fail (if: {cond})",
                    wf.path,
                    job.line,
                )
            )
            continue
        first_deploy = min(r.step.index for r in runs)
        closure = facts.workflows.job_closure(wf, job)
        evals, tests = _gates_in(facts, [m for m in closure if m[1] is not job])
        e2, t2 = _gates_in(facts, [(wf, job)], {job.id: first_deploy})
        evals, tests = evals or e2, tests or t2
        if not (evals and tests) and "workflow_run" in wf.triggers:
            spec = wf.triggers.get("workflow_run") or {}
            names = spec.get("workflows") if isinstance(spec, dict) else None
            names = (
                [str(n) for n in names]
                if isinstance(names, list)
                else [str(names)]
                if names
                else []
            )
            upstream = [
                w
                for w in facts.workflows.workflows
                if w.name in names or w.path.rsplit("/", 1)[-1] in names
            ]
            if upstream and re.search(
                r"workflow_run\.conclusion\s*==\s*'success'", cond + str(wf.raw.get("env", ""))
            ):
                members = [(w, j) for w in upstream for j in w.jobs.values()]
                e3, t3 = _gates_in(facts, members)
                evals, tests = evals or e3, tests or t3
        if evals and tests:
            out.append(
                ok(
                    pid,
                    f"deploy job `{job.id}` waits for the test and eval gates",
                    wf.path,
                    job.line,
                )
            )
        else:
            missing = " and ".join(
                x for x, have in (("the eval gate", evals), ("the tests", tests)) if not have
            )
            out.append(
                fail(
                    pid,
                    f"deploy job `{job.id}` does not depend on {missing}"
                    + (f" (needs: {', '.join(job.needs)})" if job.needs else " (no needs:)"),
                    wf.path,
                    job.line,
                )
            )
    return out


@probe("delivery.smoke_test")
def smoke_test(facts: Facts) -> list[Finding]:
    pid = "delivery.smoke_test"
    jobs = deploy_jobs(facts)
    if not jobs:
        return [fail(pid, "no deploy job")]
    for wf, job, runs in jobs:
        first_deploy = min(r.step.index for r in runs)
        later = [
            r
            for r in facts.workflows.runs
            if r.workflow is wf
            and r.gate
            and ((r.job is job and r.step.index > first_deploy) or job.id in r.job.needs)
        ]
        for r in later:
            if any(SMOKE.search(n) for n in r.leaf.names()) or SMOKE.search(r.step.name):
                return [run_ok(pid, "smoke/health check after deploying", r)]
        for r in runs:
            _files, text = facts.chain_context(r.leaf)
            if re.search(r"smoke|/health|/ready", text, re.I) and any(
                f.endswith(".py") for f in r.leaf.files
            ):
                return [run_ok(pid, "the deploy code checks the new revision's health", r)]
    wf, job, _ = jobs[0]
    return [
        fail(pid, f"no smoke or health check after the deploy in job `{job.id}`", wf.path, job.line)
    ]


@probe("delivery.progressive")
def progressive(facts: Facts) -> list[Finding]:
    pid = "delivery.progressive"
    runs = [r for _wf, _job, rs in deploy_jobs(facts) for r in rs]
    # cite the step whose own files shift traffic before one that only shares their package,
    # and a rollout step before an image build of the same package
    runs.sort(key=lambda r: not re.search(r"canary|rollout|traffic", " ".join(r.leaf.names()[1:])))
    for own in (True, False):
        for r in runs:
            if own:
                code = [f for f in r.leaf.files if f and not f.endswith((".mk", "akefile"))]
                text = "\n".join([*r.leaf.names(), *(facts.repo.text(f) or "" for f in code)])
            else:
                _files, text = facts.chain_context(r.leaf)
            m = PROGRESSIVE.search(text)
            if m and re.search(r"traffic|weight|canary", text, re.I):
                return [run_ok(pid, f"traffic is shifted progressively (`{m.group(0)}`)", r)]
    return [fail(pid, "the deploy chain never splits traffic between revisions")]


@probe("delivery.rollback")
def rollback(facts: Facts) -> list[Finding]:
    pid = "delivery.rollback"
    deploy_wfs = {wf.path for wf, _j, _r in deploy_jobs(facts)}
    for run in facts.workflows.runs:
        if run.workflow.path not in deploy_wfs:
            continue
        conds = f"{run.step.cond or ''} {run.job.cond or ''}"
        if _ROLLBACK_JOB.search(conds) and (
            ROLLBACK.search(run.step.name)
            or any(ROLLBACK.search(n) or "traffic" in n for n in run.leaf.names())
        ):
            return [run_ok(pid, "rollback when the deploy fails", run)]
    for _wf, _job, runs in deploy_jobs(facts):
        for r in runs:
            files, text = facts.chain_context(r.leaf)
            if any(f.endswith(".py") for f in files) and re.search(
                r"def\s+\w*roll_?back|ROLLBACK|rollback\(", text
            ):
                return [run_ok(pid, "the deploy controller rolls back on a failed gate", r)]
    return [
        fail(
            pid,
            "no automatic rollback (if: failure() step or controller rollback) in the deploy "
            "workflow",
        )
    ]
