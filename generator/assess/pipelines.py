"""CI systems other than GitHub Actions, read into the same ``Workflow``/``Job``/``Step`` shapes:
Azure Pipelines (``azure-pipelines.yml``, ``.azure-pipelines/``, ``.pipelines/``, with local
``template:`` references and ``${{ parameters.x }}``), GitLab CI (``.gitlab-ci.yml`` with local
includes), Google Cloud Build (``cloudbuild.yaml``) and the hooks of ``azure.yaml`` (azd).

Triggers are named with GitHub's events (``push``, ``pull_request``, ``schedule``,
``workflow_dispatch``) so probes need no per-system vocabulary. The gate rules are the same:
``continueOnError``/``allow_failure``/``allowFailure`` are not gates, a disabled step or a
``condition:`` that always skips (``false``, ``eq(1, 2)``) is not a gate, and an Azure
``script:``/``bash:`` step, which bash runs without ``-e``, is decided by its last command.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Any

from generator.assess.chains import Ctx, Hop, Leaf, Resolver, _join
from generator.assess.shell import ShellState
from generator.assess.workflows import Job, Step, Workflow, _line

if TYPE_CHECKING:
    from generator.assess.collect import Repo

AZURE_GLOBS = (
    "azure-pipelines*.{yml,yaml}",
    "*/azure-pipelines*.{yml,yaml}",
    "{.azure-pipelines,.pipelines,pipelines,.azuredevops,.azdo}/**/*.{yml,yaml}",
)
_AZURE_TOP = ("trigger", "pr", "schedules", "stages", "jobs", "steps", "extends")
_STEP_KEYS = ("script", "bash", "pwsh", "powershell", "task", "template", "checkout")
_PARAM = re.compile(r"\$\{\{\s*parameters\.([\w-]+)\s*\}\}")
_ALWAYS_SKIP = re.compile(
    r"^\s*(?:false|0|'false'|eq\(\s*(['\w]+)\s*,\s*(['\w]+)\s*\)|ne\(\s*(['\w]+)\s*,\s*\3\s*\))\s*$",
    re.I,
)
_BASH = ShellState(errexit=False, pipefail=False)  # Azure runs bash steps without -e
MAX_TEMPLATES = 50

# Azure tasks named by what they do, as the command a script would run (so DEPLOY, PROVISION,
# VALIDATE ... vocabularies apply unchanged)
_TASKS = {
    "azurecontainerapps": "az containerapp up",
    "azurewebapp": "az webapp deploy",
    "azurewebappcontainer": "az webapp deploy",
    "azurermwebappdeployment": "az webapp deploy",
    "azurefunctionapp": "az functionapp deploy",
    "azurefunctionappcontainer": "az functionapp deploy",
    "helmdeploy": "helm upgrade",
    "azureresourcemanagertemplatedeployment": "az deployment group create",
    "azureresourcegroupdeployment": "az deployment group create",
}


def other_ci(repo: Repo, resolver: Resolver) -> list[Workflow]:
    """Every non-GitHub pipeline of the repository, as workflows."""
    out: list[Workflow] = []
    out.extend(AzurePipelines(repo, resolver).workflows())
    if repo.exists(".gitlab-ci.yml"):
        out.extend(_gitlab(repo, resolver))
    cloud = repo.glob("**/cloudbuild*.{yaml,yml}") + repo.glob(".cloudbuild/**/*.{yaml,yml}")
    for rel in dict.fromkeys(cloud):
        if rel.count("/") <= 3:
            wf = _cloud_build(repo, resolver, rel)
            if wf is not None:
                out.append(wf)
    return out


# ----- shared ------------------------------------------------------------------------------
def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _script_leaves(
    resolver: Resolver,
    script: str,
    rel: str,
    line: int,
    hops: tuple[Hop, ...],
    cwd: str,
    state: ShellState,
) -> list[Leaf]:
    return resolver.resolve(script, Ctx(rel, line, hops, cwd=cwd), state)


def _azure_condition(cond: Any) -> Any:
    """An Azure condition in GitHub's terms: False (never runs), ``always()``/``failure()``
    (runs when what it depends on failed), or the text itself (a success condition)."""
    if cond is None:
        return None
    if cond is False:
        return False
    text = _str(cond).strip()
    if _ALWAYS_SKIP.match(text):
        m = _ALWAYS_SKIP.match(text)
        if m and m.group(1) is not None and m.group(1).strip("'") == m.group(2).strip("'"):
            return text  # eq(1, 1): always true, an ordinary step
        return False
    low = text.lower()
    if re.search(r"\bfailed\(\s*\)|\bcanceled\(\s*\)", low) and "succeeded" not in low:
        return "failure()"
    if re.search(r"\balways\(\s*\)|succeededorfailed\(\s*\)", low):
        return "always()"
    return text


# ----- Azure Pipelines ---------------------------------------------------------------------
class AzurePipelines:
    """Azure Pipelines entry files (those no other file includes as a ``template:``)."""

    def __init__(self, repo: Repo, resolver: Resolver) -> None:
        self.repo = repo
        self.resolver = resolver
        self._templates_used = 0

    def candidates(self) -> list[str]:
        out: list[str] = []
        for pattern in AZURE_GLOBS:
            out.extend(p for p in self.repo.glob(pattern) if p not in out)
        return [p for p in out if self._looks_azure(p)]

    def _looks_azure(self, rel: str) -> bool:
        raw = self.repo.yaml(rel, lines=True)
        if not isinstance(raw, dict):
            return False
        if rel.rsplit("/", 1)[-1].startswith("azure-pipelines"):
            return True
        return any(k in raw for k in _AZURE_TOP) and "on" not in raw and True not in raw

    def workflows(self) -> list[Workflow]:
        files = self.candidates()
        if not files:
            return []
        referenced: set[str] = set()
        for rel in files:
            text = self.repo.text(rel) or ""
            for m in re.finditer(r"^\s*-?\s*template:\s*['\"]?([^'\"\s#@]+)", text, re.M):
                referenced.add(self._template_path(rel, m.group(1)))
        out = []
        for rel in files:
            if rel in referenced:
                continue
            wf = self._pipeline(rel)
            if wf is not None:
                out.append(wf)
        return out

    @staticmethod
    def _template_path(current: str, ref: str) -> str:
        if ref.startswith("/"):
            return ref.lstrip("/")
        base = current.rsplit("/", 1)[0] if "/" in current else ""
        return _join(base, ref)

    def _load_template(self, current: str, node: dict[str, Any]) -> tuple[str, Any, dict[str, Any]]:
        """(path, parsed template, parameter values) of a ``template:`` reference."""
        ref = _str(node.get("template"))
        if "@" in ref or self._templates_used >= MAX_TEMPLATES:
            return "", None, {}  # another repository's template: not in this one
        self._templates_used += 1
        rel = self._template_path(current, ref)
        raw = self.repo.yaml(rel, lines=True) if self.repo.exists(rel) else None
        values: dict[str, Any] = {}
        declared = raw.get("parameters") if isinstance(raw, dict) else None
        if isinstance(declared, list):
            for p in declared:
                if isinstance(p, dict) and "name" in p and "default" in p:
                    values[_str(p["name"])] = p["default"]
        elif isinstance(declared, dict):
            values.update({_str(k): v for k, v in declared.items() if not isinstance(v, dict)})
        given = node.get("parameters")
        if isinstance(given, dict):
            values.update({_str(k): v for k, v in given.items()})
        return rel, raw, values

    def _triggers(self, raw: dict[str, Any]) -> dict[str, Any]:
        triggers: dict[str, Any] = {}
        if _str(raw.get("trigger")).strip().lower() != "none":
            triggers["push"] = None
        if _str(raw.get("pr")).strip().lower() != "none":
            triggers["pull_request"] = None
        if raw.get("schedules"):
            triggers["schedule"] = None
        triggers["workflow_dispatch"] = None  # every pipeline can be run by hand
        return triggers

    def _pipeline(self, rel: str) -> Workflow | None:
        raw = self.repo.yaml(rel, lines=True)
        if not isinstance(raw, dict):
            return None
        body: Any = raw
        path = rel
        params: dict[str, Any] = {}
        extends = raw.get("extends")
        if isinstance(extends, dict) and extends.get("template"):
            path, body, params = self._load_template(rel, extends)
            if not isinstance(body, dict):
                body, path = raw, rel
        jobs: dict[str, Job] = {}
        self._stages(path, body, params, jobs)
        return Workflow(
            path=rel,
            name=_str(raw.get("name")) or rel.rsplit("/", 1)[-1],
            triggers=self._triggers(raw),
            jobs=jobs,
            permissions=None,
            has_permissions=False,
            permissions_line=1,
            raw=dict(raw),
            system="azure-pipelines",
        )

    def _stages(self, rel: str, body: Any, params: dict[str, Any], jobs: dict[str, Job]) -> None:
        if not isinstance(body, dict):
            return
        if isinstance(body.get("stages"), list):
            previous: list[str] = []
            for stage in self._expand(rel, body["stages"], params, "stage"):
                srel, sraw, sparams = stage
                name = _str(sraw.get("stage")) or f"stage{len(previous) + 1}"
                depends = sraw.get("dependsOn")
                after = (
                    previous[-1:]
                    if depends is None
                    else (
                        [_str(d) for d in depends] if isinstance(depends, list) else [_str(depends)]
                    )
                )
                upstream = [
                    j
                    for j, job in jobs.items()
                    if job.raw.get("__stage") in after and depends != []
                ]
                cond = _azure_condition(sraw.get("condition"))
                self._jobs(srel, sraw.get("jobs"), sparams, jobs, name, upstream, cond)
                previous.append(name)
        elif isinstance(body.get("jobs"), list):
            self._jobs(rel, body["jobs"], params, jobs, "", [], None)
        elif isinstance(body.get("steps"), list):
            self._jobs(rel, [{"job": "build", "steps": body["steps"]}], params, jobs, "", [], None)

    def _expand(
        self, rel: str, items: Any, params: dict[str, Any], kind: str
    ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        """Items of a stages/jobs/steps list with local templates expanded in place."""
        out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            if "template" in item and kind not in item:
                trel, traw, tparams = self._load_template(rel, item)
                key = {"stage": "stages", "job": "jobs", "step": "steps"}[kind]
                inner = traw.get(key) if isinstance(traw, dict) else None
                if isinstance(inner, list):
                    out.extend(self._expand(trel, inner, tparams, kind))
                continue
            out.append((rel, item, params))
        return out

    def _jobs(
        self,
        rel: str,
        items: Any,
        params: dict[str, Any],
        jobs: dict[str, Job],
        stage: str,
        upstream: list[str],
        stage_cond: Any,
    ) -> None:
        for jrel, jraw, jparams in self._expand(rel, items, params, "job"):
            name = _str(jraw.get("job") or jraw.get("deployment")) or f"job{len(jobs) + 1}"
            jid = f"{stage}.{name}" if stage else name
            depends = jraw.get("dependsOn")
            needs = list(upstream)
            if depends:
                for d in depends if isinstance(depends, list) else [depends]:
                    needs.append(f"{stage}.{d}" if stage else _str(d))
            steps_raw: list[Any] = []
            if isinstance(jraw.get("steps"), list):
                steps_raw = jraw["steps"]
            strategy = jraw.get("strategy")
            if isinstance(strategy, dict):
                for kind in ("runOnce", "rolling", "canary"):
                    phases = strategy.get(kind)
                    if not isinstance(phases, dict):
                        continue
                    for phase in ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic"):
                        block = phases.get(phase)
                        if isinstance(block, dict) and isinstance(block.get("steps"), list):
                            steps_raw = steps_raw + block["steps"]
                    on = phases.get("on")
                    failure = on.get("failure") if isinstance(on, dict) else None
                    if isinstance(failure, dict) and isinstance(failure.get("steps"), list):
                        steps_raw = steps_raw + [
                            {**s, "condition": "failed()"} if isinstance(s, dict) else s
                            for s in failure["steps"]
                        ]
            cond = _azure_condition(jraw.get("condition"))
            if stage_cond is False:
                cond = False
            workdir = ""
            steps: list[Step] = []
            for srel, sraw, sparams in self._expand(jrel, steps_raw, jparams, "step"):
                step = self._step(srel, jid, len(steps), sraw, sparams, workdir)
                if step is not None:
                    steps.append(step)
            env = jraw.get("environment")
            jobs[jid] = Job(
                id=jid,
                line=_line(jraw),
                name=_str(jraw.get("displayName")) or jid,
                needs=needs,
                cond=cond,
                continue_on_error=jraw.get("continueOnError"),
                steps=steps,
                uses=None,
                environment=(env.get("name") if isinstance(env, dict) else env),
                permissions=None,
                raw={"__stage": stage, "__file": jrel},
            )

    def _step(
        self,
        rel: str,
        jid: str,
        index: int,
        sraw: dict[str, Any],
        params: dict[str, Any],
        workdir: str,
    ) -> Step | None:
        def sub(value: Any) -> str:
            return _PARAM.sub(lambda m: _str(params.get(m.group(1), m.group(0))), _str(value))

        kind = next((k for k in _STEP_KEYS if k in sraw), None)
        if kind is None or kind == "checkout":
            return None
        line = _line(sraw)
        cond = False if sraw.get("enabled") is False else _azure_condition(sraw.get("condition"))
        raw_inputs = sraw.get("inputs")
        inputs: dict[Any, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
        name = _str(sraw.get("displayName")) or (
            sub(sraw.get(kind)).split("\n", 1)[0][:60] if kind != "task" else _str(sraw["task"])
        )
        step = Step(
            index,
            line,
            name,
            None,
            _str(sraw["task"]) if kind == "task" else None,
            {str(k): sub(v) for k, v in inputs.items()},
            cond,
            sraw.get("continueOnError"),
            kind if kind != "task" else None,
        )
        hop = Hop("step", rel, line, f"{jid}: {name}")
        cwd = _join(workdir, sub(sraw.get("workingDirectory") or ""))
        if "$(" in cwd:
            cwd = workdir
        if kind in ("script", "bash", "pwsh", "powershell"):
            script = sub(sraw.get(kind))
            step.run = script
            offset = _line(sraw, kind) + (1 if "\n" in script.rstrip("\n") else 0)
            step.leaves = _script_leaves(self.resolver, script, rel, offset, (hop,), cwd, _BASH)
        else:
            step.leaves = self._task(step, rel, line, (hop,), cwd, inputs)
        return step

    def _task(
        self,
        step: Step,
        rel: str,
        line: int,
        hops: tuple[Hop, ...],
        cwd: str,
        raw_inputs: dict[Any, Any],
    ) -> list[Leaf]:
        """A task as the command it runs: script tasks by their script, others by meaning."""
        name, _, _version = (step.uses or "").partition("@")
        key = name.lower()
        inputs = step.with_
        wd = inputs.get("workingDirectory") or inputs.get("cwd")
        if wd and "$(" not in wd:
            cwd = _join(cwd, wd)
        inline = inputs.get("inlineScript") or (
            inputs.get("script") if inputs.get("targetType", "inline") == "inline" else None
        )
        path = inputs.get("scriptPath") or inputs.get("filePath")
        args = inputs.get("arguments") or inputs.get("scriptArguments") or ""
        if key in ("azurecli", "bash", "shellscript", "cmdline", "powershell", "azurepowershell"):
            if inline and (inputs.get("scriptLocation", "inlineScript") == "inlineScript"):
                step.run = inline
                key_name = "inlineScript" if "inlineScript" in raw_inputs else "script"
                at = _line(raw_inputs, key_name) + (1 if "\n" in inline.rstrip("\n") else 0)
                return _script_leaves(self.resolver, inline, rel, at or line, hops, cwd, _BASH)
            if path:
                run = f"bash {shlex.quote(path)} {args}".strip()
                return _script_leaves(self.resolver, run, rel, line, hops, cwd, _BASH)
        if key == "pythonscript":
            if inputs.get("scriptSource", "filePath") == "filePath" and path:
                run = f"python {shlex.quote(path)} {args}".strip()
                return _script_leaves(self.resolver, run, rel, line, hops, cwd, _BASH)
            return [Leaf(("python", "<inline script>"), hops, True, None, ())]
        command: str | None = _TASKS.get(key)
        if key.startswith("terraformtask") or key == "terraform":
            command = f"terraform {inputs.get('command', 'plan')}"
        elif key == "kubernetesmanifest":
            action = inputs.get("action", "deploy")
            strategy = inputs.get("strategy", "none")
            command = "kubectl apply" if action == "deploy" else f"kubectl {action}"
            if strategy == "canary":
                command += f" canary traffic weight {inputs.get('percentage', '')}".rstrip()
        elif key == "docker" and inputs.get("command") in ("push", "buildAndPush"):
            command = "docker push"
        if command is None:
            command = f"task {step.uses}"
        return [Leaf(tuple(command.split()), hops, True, None, ())]


# ----- GitLab CI ---------------------------------------------------------------------------
_GITLAB_RESERVED = {
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages",
}


def _gitlab_triggers(job: dict[str, Any]) -> frozenset[str]:
    rules = job.get("rules")
    only = job.get("only")
    text = f"{rules} {only}".lower()
    if _str(job.get("when")) == "manual":
        return frozenset({"workflow_dispatch"})
    if ("schedule" in text) and not re.search(r"push|merge_request|branches|!=", text):
        return frozenset({"schedule"})
    return frozenset({"push", "pull_request"})


def _lines(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_str(v) for v in value if isinstance(v, str | int))
    return _str(value)


def _gitlab(repo: Repo, resolver: Resolver) -> list[Workflow]:
    rel = ".gitlab-ci.yml"
    raw = repo.yaml(rel, lines=True)
    if not isinstance(raw, dict):
        return []
    docs: list[tuple[str, dict[str, Any]]] = [(rel, raw)]
    includes = raw.get("include")
    for inc in includes if isinstance(includes, list) else [includes]:
        local = inc.get("local") if isinstance(inc, dict) else inc
        if isinstance(local, str) and not local.startswith(("http", "$")):
            path = local.lstrip("/")
            data = repo.yaml(path, lines=True) if repo.exists(path) else None
            if isinstance(data, dict):
                docs.append((path, data))
    defs: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, doc in docs:
        for key, value in doc.items():
            if isinstance(value, dict) and _str(key) not in _GITLAB_RESERVED:
                defs[_str(key)] = (path, value)
    stages = raw.get("stages") if isinstance(raw.get("stages"), list) else None
    stage_order = [_str(s) for s in stages] if stages else ["build", "test", "deploy"]
    groups: dict[frozenset[str], dict[str, Job]] = {}
    for name, (path, job) in defs.items():
        if name.startswith("."):
            continue
        merged = dict(job)
        parents = job.get("extends")
        for parent in parents if isinstance(parents, list) else [parents]:
            if isinstance(parent, str) and parent in defs:
                merged = {**defs[parent][1], **merged}
        if "script" not in merged and "trigger" not in merged:
            continue
        stage = _str(merged.get("stage") or "test")
        before = (
            [s for s in stage_order[: stage_order.index(stage)]] if stage in stage_order else []
        )
        needs_raw = merged.get("needs")
        if isinstance(needs_raw, list):
            needs = [_str(n.get("job") if isinstance(n, dict) else n) for n in needs_raw]
        else:
            needs = [
                n
                for n, (_p, j) in defs.items()
                if not n.startswith(".") and _str(j.get("stage") or "test") in before
            ]
        line = _line(merged)
        script = "\n".join(
            x for x in (_lines(merged.get("before_script")), _lines(merged.get("script"))) if x
        )
        step = Step(0, line, name, script, None, {}, None, merged.get("allow_failure"), "bash")
        hop = Hop("step", path, line, f"{name}: script")
        step.leaves = _script_leaves(
            resolver, script, path, line, (hop,), "", ShellState(True, True)
        )
        when = _str(merged.get("when"))
        env = merged.get("environment")
        job_obj = Job(
            id=name,
            line=line,
            name=name,
            needs=needs,
            cond=False if when == "never" else None,
            continue_on_error=merged.get("allow_failure"),
            steps=[step],
            uses=None,
            environment=env.get("name") if isinstance(env, dict) else env,
            permissions=None,
            raw={"stage": stage},
        )
        groups.setdefault(_gitlab_triggers(merged), {})[name] = job_obj
    out = []
    for triggers, jobs in groups.items():
        out.append(
            Workflow(
                path=rel,
                name=f"gitlab-ci ({', '.join(sorted(triggers))})",
                triggers={t: None for t in triggers},
                jobs=jobs,
                permissions=None,
                has_permissions=False,
                permissions_line=1,
                raw={},
                system="gitlab",
            )
        )
    return out


# ----- Google Cloud Build ------------------------------------------------------------------
def _cloud_build(repo: Repo, resolver: Resolver, rel: str) -> Workflow | None:
    raw = repo.yaml(rel, lines=True)
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
        return None
    steps: list[Step] = []
    for i, sraw in enumerate(raw["steps"]):
        if not isinstance(sraw, dict):
            continue
        builder = _str(sraw.get("name")).split("@", 1)[0].split(":", 1)[0].rsplit("/", 1)[-1]
        entry = _str(sraw.get("entrypoint")) or builder
        raw_args = sraw.get("args")
        args = [_str(a) for a in raw_args] if isinstance(raw_args, list) else []
        if entry in ("bash", "sh") and len(args) >= 2 and args[0] == "-c":
            script = args[1]
        elif isinstance(sraw.get("script"), str):
            script = sraw["script"]
        else:
            script = " ".join(shlex.quote(a) for a in [entry, *args])
        line = _line(sraw)
        name = _str(sraw.get("id")) or script.split("\n", 1)[0][:60]
        step = Step(i, line, name, script, None, {}, None, sraw.get("allowFailure"), "bash")
        hop = Hop("step", rel, line, f"build: {name}")
        cwd = _str(sraw.get("dir")).strip("/")
        step.leaves = _script_leaves(
            resolver, script, rel, line, (hop,), cwd, ShellState(True, False)
        )
        steps.append(step)
    job = Job("build", 1, "build", [], None, None, steps, None, None, None, {})
    return Workflow(
        path=rel,
        name=rel,
        triggers={"push": None},  # Cloud Build triggers live in the project, not the file
        jobs={"build": job},
        permissions=None,
        has_permissions=False,
        permissions_line=1,
        raw={},
        system="cloud-build",
    )


# ----- azd ---------------------------------------------------------------------------------
def azd_hooks(repo: Repo, manifest: str) -> list[tuple[str, str, int, str, bool]]:
    """(phase, command, line, cwd, continueOnError) of every hook in an ``azure.yaml``,
    project-level then per service (run in the service's project folder)."""
    raw = repo.yaml(manifest, lines=True)
    if not isinstance(raw, dict):
        return []
    base = manifest.rsplit("/", 1)[0] if "/" in manifest else ""
    out: list[tuple[str, str, int, str, bool]] = []

    def take(hooks: Any, cwd: str) -> None:
        if not isinstance(hooks, dict):
            return
        for phase, spec in hooks.items():
            for one in spec if isinstance(spec, list) else [spec]:
                if isinstance(one, dict) and "run" not in one:
                    one = one.get("posix") or one.get("windows")
                if not isinstance(one, dict) or not isinstance(one.get("run"), str):
                    continue
                run = one["run"].strip()
                target = _join(cwd, run)
                if "\n" not in run and repo.exists(target):
                    shell = _str(one.get("shell") or "sh")
                    run = f"{'pwsh' if shell == 'pwsh' else 'bash'} {run}"
                out.append(
                    (_str(phase), run, _line(hooks, phase), cwd, one.get("continueOnError") is True)
                )

    take(raw.get("hooks"), base)
    services = raw.get("services")
    if isinstance(services, dict):
        for svc in services.values():
            if isinstance(svc, dict):
                take(svc.get("hooks"), _join(base, _str(svc.get("project") or ".")))
    return out
