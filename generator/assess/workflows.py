"""GitHub Actions workflows as facts: triggers, jobs, needs, steps with line numbers, and for
every ``run:`` step the resolved command chains (see ``chains``), with gate semantics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.assess.chains import Hop, Leaf, Resolver
from generator.assess.shell import ShellState

if TYPE_CHECKING:
    from generator.assess.collect import Repo

_FALSE_IF = re.compile(r"^\s*(?:\$\{\{\s*)?(?:false|0|''|\"\")\s*(?:\}\})?\s*$", re.I)
_ALWAYS = re.compile(r"\b(always|failure|cancelled)\s*\(\s*\)|!\s*cancelled", re.I)
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
    def location(self) -> tuple[str, int]:
        return self.workflow.path, self.step.line


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
        jobs: dict[str, Job] = {}
        if isinstance(jobs_raw, dict):
            for jid, jraw in jobs_raw.items():
                if isinstance(jraw, dict):
                    jobs[str(jid)] = self._job(
                        rel, str(jid), jraw, jobs_raw, _shell(jraw) or defaults_shell
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

    def _job(self, rel: str, jid: str, jraw: dict[str, Any], parent: Any, shell: str | None) -> Job:
        steps: list[Step] = []
        for i, sraw in enumerate(jraw.get("steps") or []):
            if isinstance(sraw, dict):
                steps.append(self._step(rel, jid, i, sraw, shell, ()))
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
    ) -> Step:
        run = sraw.get("run")
        uses = sraw.get("uses")
        with_ = sraw.get("with") if isinstance(sraw.get("with"), dict) else {}
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
        if step.run is not None:
            state = _shell_state(step.shell)
            if state is None:  # python/pwsh inline script: the script itself is the command
                step.leaves.append(
                    Leaf((str(step.shell), "<inline script>"), (*hops, hop), True, None, ())
                )
            else:
                line = _line(sraw, "run")
                block = type(run).__name__ in ("LiteralScalarString", "FoldedScalarString")
                offset = line + 1 if block else line
                step.leaves = self.resolver.resolve_script(
                    step.run,
                    rel,
                    offset,
                    state,
                    (*hops, hop),
                    cwd=str(sraw.get("working-directory") or ""),
                )
        elif step.uses and step.uses.startswith("./") and depth < 3:
            step.leaves = self._composite(step.uses[2:], (*hops, hop), depth)
        return step

    def _composite(self, directory: str, hops: tuple[Hop, ...], depth: int) -> list[Leaf]:
        for name in ("action.yml", "action.yaml"):
            rel = f"{directory.rstrip('/')}/{name}"
            if self.repo.exists(rel):
                raw = self.repo.yaml(rel, lines=True)
                runs = raw.get("runs") if isinstance(raw, dict) else None
                leaves: list[Leaf] = []
                if isinstance(runs, dict) and runs.get("using") == "composite":
                    for i, sraw in enumerate(runs.get("steps") or []):
                        if isinstance(sraw, dict):
                            sub = self._step(rel, "action", i, sraw, None, hops, depth + 1)
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
    def select(
        self, pred: Any, events: set[str] | frozenset[str] | None = None
    ) -> Iterator[StepRun]:
        """Step runs whose leaf satisfies ``pred`` in workflows triggered by one of ``events``."""
        for run in self.runs:
            if events is not None and not (run.workflow.effective_triggers() & events):
                continue
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
