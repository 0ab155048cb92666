"""CI workflows as facts: triggers, jobs, needs, steps with line numbers, and for every command
step the resolved command chains (see ``chains``), with gate semantics.

GitHub Actions are parsed here; Azure Pipelines, GitLab CI and Cloud Build are read by
``pipelines`` into the same ``Workflow``/``Job``/``Step`` shapes (their triggers named with
GitHub's event names), so every probe reads every CI system the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.assess.chains import Ctx, Hop, Leaf, Resolver
from generator.assess.shell import ShellState

if TYPE_CHECKING:
    from generator.assess.collect import Repo

_FALSE_IF = re.compile(r"^\s*(?:\$\{\{\s*)?(?:false|0|''|\"\")\s*(?:\}\})?\s*$", re.I)
_ALWAYS = re.compile(r"\b(always|failure|cancelled)\s*\(\s*\)|!\s*cancelled", re.I)
NOOP = frozenset({"echo", "printf", "true", ":", "cat", "sleep", "exit"})
CHANGE_EVENTS = frozenset({"pull_request", "push", "merge_group", "pull_request_target"})


def _line(node: Any, key: Any = None) -> int:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0
    try:
        return int(lc.key(key)[0]) + 1 if key is not None else int(lc.line) + 1
    except (KeyError, TypeError, AttributeError, IndexError):
        return int(getattr(lc, "line", -1)) + 1


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def disabled(cond: Any) -> bool:
    return cond is False or (isinstance(cond, str) and bool(_FALSE_IF.match(cond)))


def _fail_ok(value: Any) -> str | None:
    """Why a ``continue-on-error`` value lets failures pass (None when it does not)."""
    if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
        return "continue-on-error: true"
    if isinstance(value, str) and "${{" in value:
        return f"continue-on-error is an expression ({value.strip()[:60]})"
    return None


@dataclass
class Step:
    index: int
    line: int
    name: str
    run: str | None
    uses: str | None
    with_: dict[str, Any]
    cond: Any
    continue_on_error: Any
    shell: str | None
    leaves: list[Leaf] = field(default_factory=list)


@dataclass
class Job:
    id: str
    line: int
    name: str
    needs: list[str]
    cond: Any
    continue_on_error: Any
    steps: list[Step]
    uses: str | None
    environment: Any
    permissions: Any
    raw: dict[str, Any]

    def why_not_gate(self) -> str | None:
        if disabled(self.cond):
            return f"job `{self.id}` is disabled (if: {self.cond})"
        return _fail_ok(self.continue_on_error) and f"job `{self.id}` has " + str(
            _fail_ok(self.continue_on_error)
        )


@dataclass
class Workflow:
    path: str
    name: str
    triggers: dict[str, Any]
    jobs: dict[str, Job]
    permissions: Any
    has_permissions: bool
    permissions_line: int
    raw: dict[str, Any]
    callers: list[tuple[Workflow, Job]] = field(default_factory=list)
    system: str = "github"  # github | azure-pipelines | gitlab | cloud-build

    def effective_triggers(self, depth: int = 0) -> set[str]:
        own = {t for t in self.triggers if t != "workflow_call"}
        if "workflow_call" in self.triggers and depth < 3:
            for caller, job in self.callers:
                if not disabled(job.cond):
                    own |= caller.effective_triggers(depth + 1)
        return own

    def paths_filter(self, event: str) -> tuple[list[str], list[str]] | None:
        spec = self.triggers.get(event)
        if not isinstance(spec, dict):
            return None
        if "paths" in spec or "paths-ignore" in spec:
            return _as_list(spec.get("paths")), _as_list(spec.get("paths-ignore"))
        return None


@dataclass(frozen=True)
class StepRun:
    """One resolved command of one step, with whether it gates its workflow run."""

    workflow: Workflow
    job: Job
    step: Step
    leaf: Leaf
    gate: bool
    why_not: str | None

    @property
    def path(self) -> str:
        """The file holding the step (a pipeline template, a composite action's caller ...)."""
        for hop in self.leaf.hops:
            if hop.kind == "step":
                return hop.path
        return self.workflow.path

    @property
    def location(self) -> tuple[str, int]:
        return self.path, self.line

    def _command_hop(self) -> Hop | None:
        path = self.path
        return next(
            (h for h in self.leaf.hops if h.kind == "command" and h.path == path and h.line > 0),
            None,
        )

    @property
    def line(self) -> int:
        """The line that shows the command (the step's line when none does)."""
        hop = self._command_hop()
        return hop.line if hop else self.step.line

    @property
    def command(self) -> str:
        """The command as written on that line (what a reader finds there)."""
        hop = self._command_hop()
        return hop.text if hop else self.step.name


def _triggers(raw: dict[Any, Any]) -> dict[str, Any]:
    on = raw.get("on", raw.get(True))  # YAML 1.1 readers turn `on` into True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(x): None for x in on}
    if isinstance(on, dict):
        return {str(k): v for k, v in on.items()}
    return {}


class WorkflowIndex:
    """All workflows of the repository, parsed once, with resolved step commands."""

    def __init__(self, repo: Repo, resolver: Resolver) -> None:
        self.repo = repo
        self.resolver = resolver
        self.workflows: list[Workflow] = []
        for rel in repo.glob(".github/workflows/*.{yml,yaml}"):
            wf = self._parse(rel)
            if wf is not None:
                self.workflows.append(wf)
        from generator.assess.pipelines import other_ci

        self.workflows.extend(other_ci(repo, resolver))
        by_path = {w.path: w for w in self.workflows}
        for wf in self.workflows:
            for job in wf.jobs.values():
                if job.uses and job.uses.startswith("./"):
                    callee = by_path.get(job.uses[2:].split("@", 1)[0])
                    if callee is not None:
                        callee.callers.append((wf, job))
        self.runs: list[StepRun] = []
        for wf in self.workflows:
            for job in wf.jobs.values():
                job_why = job.why_not_gate()
                for step in job.steps:
                    step_why = (
                        f"step is disabled (if: {step.cond})"
                        if disabled(step.cond)
                        else _fail_ok(step.continue_on_error)
                    )
                    for leaf in step.leaves:
                        why = job_why or step_why or leaf.why_not
                        self.runs.append(
                            StepRun(wf, job, step, leaf, why is None and leaf.gate, why)
                        )

    def _parse(self, rel: str) -> Workflow | None:
        raw = self.repo.yaml(rel, lines=True)
        if not isinstance(raw, dict):
            if raw is not None or self.repo.text(rel) is not None:
                self.repo.note("invalid-workflow", rel, "not a workflow (no mapping at top level)")
            return None
        jobs_raw = raw.get("jobs")
        defaults_shell = _shell(raw)
        defaults_dir = _workdir(raw)
        jobs: dict[str, Job] = {}
        if isinstance(jobs_raw, dict):
            for jid, jraw in jobs_raw.items():
                if isinstance(jraw, dict):
                    jobs[str(jid)] = self._job(
                        rel,
                        str(jid),
                        jraw,
                        jobs_raw,
                        _shell(jraw) or defaults_shell,
                        _workdir(jraw) or defaults_dir,
                    )
        return Workflow(
            path=rel,
            name=str(raw.get("name") or rel.rsplit("/", 1)[-1]),
            triggers=_triggers(raw),
            jobs=jobs,
            permissions=raw.get("permissions"),
            has_permissions="permissions" in raw,
            permissions_line=_line(raw, "permissions") if "permissions" in raw else 1,
            raw=raw,
        )

    def _job(
        self,
        rel: str,
        jid: str,
        jraw: dict[str, Any],
        parent: Any,
        shell: str | None,
        workdir: str = "",
    ) -> Job:
        steps: list[Step] = []
        for i, sraw in enumerate(jraw.get("steps") or []):
            if isinstance(sraw, dict):
                steps.append(self._step(rel, jid, i, sraw, shell, (), workdir=workdir))
        name = jraw.get("name")
        return Job(
            id=jid,
            line=_line(parent, jid),
            name=str(name) if name else jid,
            needs=_as_list(jraw.get("needs")),
            cond=jraw.get("if"),
            continue_on_error=jraw.get("continue-on-error"),
            steps=steps,
            uses=str(jraw["uses"]) if isinstance(jraw.get("uses"), str) else None,
            environment=jraw.get("environment"),
            permissions=jraw.get("permissions"),
            raw=jraw,
        )

    def _step(
        self,
        rel: str,
        jid: str,
        index: int,
        sraw: dict[str, Any],
        shell: str | None,
        hops: tuple[Hop, ...],
        depth: int = 0,
        workdir: str = "",
        inputs: dict[str, Any] | None = None,
    ) -> Step:
        run = sraw.get("run")
        if isinstance(run, str) and inputs is not None:
            run = _substitute(run, inputs)
        uses = sraw.get("uses")
        with_ = sraw.get("with") if isinstance(sraw.get("with"), dict) else {}
        if inputs is not None:
            with_ = {k: _substitute(str(v), inputs) for k, v in (with_ or {}).items()}
        name = str(
            sraw.get("name")
            or (run.split("\n", 1)[0][:60] if isinstance(run, str) else uses or f"step {index + 1}")
        )
        step = Step(
            index,
            _line(sraw),
            name,
            run if isinstance(run, str) else None,
            uses if isinstance(uses, str) else None,
            dict(with_ or {}),
            sraw.get("if"),
            sraw.get("continue-on-error"),
            str(sraw.get("shell") or shell or "") or None,
        )
        hop = Hop("step", rel, step.line, f"{jid}: {name}")
        cwd = _join_dir(workdir, str(sraw.get("working-directory") or ""))
        if step.run is not None:
            state = _shell_state(step.shell)
            if state is None:  # python inline script: the script itself is the command
                step.leaves.append(
                    Leaf((str(step.shell), "<inline script>"), (*hops, hop), True, None, ())
                )
            else:
                line = _line(sraw, "run")
                block = type(sraw.get("run")).__name__ in (
                    "LiteralScalarString",
                    "FoldedScalarString",
                )
                offset = line + 1 if block else line
                ctx = Ctx(rel, offset, (*hops, hop), cwd=cwd)
                step.leaves = self.resolver.resolve(step.run, ctx, state)
        elif step.uses and step.uses.startswith("./") and depth < 3:
            step.leaves = self._composite(step.uses[2:], (*hops, hop), depth, step.with_)
        elif step.uses:
            step.leaves = self._action_script(step, sraw, rel, (*hops, hop), cwd)
        return step

    def _action_script(
        self, step: Step, sraw: dict[str, Any], rel: str, hops: tuple[Hop, ...], cwd: str
    ) -> list[Leaf]:
        """Scripts passed to actions as inputs: ``azure/cli`` and ``azure/powershell``
        ``inlineScript`` (shell), ``actions/github-script`` ``script`` (JavaScript, kept whole
        as the command so its API calls can be matched)."""
        uses = (step.uses or "").split("@", 1)[0].lower()
        with_raw = sraw.get("with") if isinstance(sraw.get("with"), dict) else {}
        if uses in ("azure/cli", "azure/powershell") and isinstance(
            step.with_.get("inlineScript"), str
        ):
            raw_script = with_raw.get("inlineScript") if isinstance(with_raw, dict) else None
            block = type(raw_script).__name__ in ("LiteralScalarString", "FoldedScalarString")
            line = _line(with_raw, "inlineScript") + (1 if block else 0)
            ctx = Ctx(rel, line, hops, cwd=cwd)
            return self.resolver.resolve(
                str(step.with_["inlineScript"]), ctx, ShellState(errexit=True, pipefail=False)
            )
        if uses == "actions/github-script" and isinstance(step.with_.get("script"), str):
            return [Leaf(("github-script", str(step.with_["script"])), hops, True, None, ())]
        return []

    def _composite(
        self, directory: str, hops: tuple[Hop, ...], depth: int, with_: dict[str, Any]
    ) -> list[Leaf]:
        for name in ("action.yml", "action.yaml"):
            rel = f"{directory.rstrip('/')}/{name}"
            if self.repo.exists(rel):
                raw = self.repo.yaml(rel, lines=True)
                runs = raw.get("runs") if isinstance(raw, dict) else None
                leaves: list[Leaf] = []
                if isinstance(runs, dict) and runs.get("using") == "composite":
                    inputs = _action_inputs(raw, with_)
                    for i, sraw in enumerate(runs.get("steps") or []):
                        if isinstance(sraw, dict):
                            sub = self._step(
                                rel, "action", i, sraw, None, hops, depth + 1, inputs=inputs
                            )
                            why = (
                                f"step is disabled in {rel}"
                                if disabled(sub.cond)
                                else _fail_ok(sub.continue_on_error)
                            )
                            leaves.extend(
                                Leaf(
                                    lf.argv,
                                    lf.hops,
                                    lf.gate and why is None,
                                    lf.why_not or why,
                                    lf.files,
                                )
                                for lf in sub.leaves
                            )
                return leaves
        return []

    # ----- queries -------------------------------------------------------------------------
    @property
    def github(self) -> list[Workflow]:
        """GitHub Actions workflows only (token permissions and action pinning are theirs)."""
        return [w for w in self.workflows if w.system == "github"]

    def select(
        self, pred: Any, events: set[str] | frozenset[str] | None = None
    ) -> Iterator[StepRun]:
        """Step runs whose leaf satisfies ``pred`` in workflows triggered by one of ``events``."""
        for run in self.runs:
            if events is not None and not (run.workflow.effective_triggers() & events):
                continue
            if run.leaf.argv and run.leaf.argv[0] in NOOP:
                continue  # `echo Run pylint` runs nothing
            if pred(run.leaf):
                yield run

    def job_closure(self, wf: Workflow, job: Job) -> list[tuple[Workflow, Job]]:
        """The job plus every job it needs (transitively), expanding reusable-workflow calls."""
        out: list[tuple[Workflow, Job]] = []
        seen: set[str] = set()
        todo = [job.id]
        while todo:
            jid = todo.pop()
            if jid in seen or jid not in wf.jobs:
                continue
            seen.add(jid)
            j = wf.jobs[jid]
            out.append((wf, j))
            if j.uses and j.uses.startswith("./"):
                callee = next(
                    (w for w in self.workflows if w.path == j.uses[2:].split("@", 1)[0]), None
                )
                if callee is not None:
                    out.extend((callee, cj) for cj in callee.jobs.values())
            todo.extend(j.needs)
        return out


def _shell(raw: dict[str, Any]) -> str | None:
    defaults = raw.get("defaults")
    run = defaults.get("run") if isinstance(defaults, dict) else None
    shell = run.get("shell") if isinstance(run, dict) else None
    return str(shell) if shell else None


def _workdir(raw: dict[str, Any]) -> str:
    defaults = raw.get("defaults")
    run = defaults.get("run") if isinstance(defaults, dict) else None
    wd = run.get("working-directory") if isinstance(run, dict) else None
    return str(wd).strip().removeprefix("./").strip("/") if isinstance(wd, str) else ""


def _join_dir(base: str, rel: str) -> str:
    from generator.assess.chains import _join

    rel = rel.strip()
    if not rel or "${{" in rel:
        return base
    return _join(base, rel)


_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def _action_inputs(raw: Any, with_: dict[str, Any]) -> dict[str, Any]:
    """A composite action's inputs: the caller's ``with:`` over the declared defaults."""
    declared = raw.get("inputs") if isinstance(raw, dict) else None
    values: dict[str, Any] = {}
    if isinstance(declared, dict):
        for key, spec in declared.items():
            if isinstance(spec, dict) and spec.get("default") is not None:
                values[str(key)] = spec["default"]
    values.update({str(k): v for k, v in with_.items()})
    return values


def _substitute(text: str, inputs: dict[str, Any]) -> str:
    """``${{ inputs.x }}`` replaced by the value the caller passed (or the default)."""
    return _INPUT.sub(lambda m: str(inputs.get(m.group(1), m.group(0))), text)


def _shell_state(shell: str | None) -> ShellState | None:
    """GitHub's shells: default ``bash -e``; ``bash`` = ``bash -eo pipefail``; sh = ``sh -e``."""
    if not shell:
        return ShellState(errexit=True, pipefail=False)
    name = shell.split()[0].rsplit("/", 1)[-1]
    if name == "bash":
        if "{0}" in shell:  # custom command line: flags as given
            return ShellState("-e" in shell or "errexit" in shell, "pipefail" in shell)
        return ShellState(errexit=True, pipefail=True)
    if name in ("sh", "dash"):
        return ShellState(errexit="{0}" not in shell or "-e" in shell, pipefail=False)
    if name in ("pwsh", "powershell", "cmd"):
        return ShellState(errexit=True, pipefail=False)
    return None
