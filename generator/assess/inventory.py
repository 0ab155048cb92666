"""What a repository holds, as a typed view over the collected ``Facts``: the one repository
reader other commands (``genaiops add``) build on, so none writes a second one.

    facts = Facts(Repo.scan(path))
    inv = inventory(facts)
    inv.projects[0].package_manager, inv.projects[0].commands["test"], inv.ci, inv.iac ...
    facts.resolver.resolve_command("make test", cwd="src/backend")  # what a command reaches

Everything here is derived from what files contain and what CI steps run, never from a
repository's name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.assess.facts import Facts

_LOCKS = (
    ("uv.lock", "uv"),
    ("poetry.lock", "poetry"),
    ("pdm.lock", "pdm"),
    ("Pipfile.lock", "pipenv"),
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
)
_LANG = {
    ".py": "python",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".js": "javascript",
    ".go": "go",
    ".cs": "csharp",
    ".java": "java",
}
_KINDS = ("test", "lint", "typecheck")
_TYPECHECK = re.compile(r"\b(mypy|pyright|tsc\b|basedpyright|type-?check)", re.I)
_LINT = re.compile(r"\b(ruff|flake8|pylint|eslint|black\s+--check|pre-commit\s+run|lint)\b", re.I)
# installing a tool is not running it (`pip install ruff`)
_INSTALL = re.compile(
    r"\b(pip3?|uv\s+pip|uv\s+tool|pipx|npm|pnpm|yarn|poetry)\s+(install|add|ci)\b"
)


@dataclass(frozen=True)
class Project:
    """A folder with its own manifest (the root, ``src/backend/``, ``frontend/`` ...)."""

    path: str  # "" for the root
    manifests: tuple[str, ...]
    languages: tuple[str, ...]
    package_manager: str | None  # uv, poetry, pdm, pipenv, pip-tools, requirements, npm, pnpm, yarn
    makefile: str | None
    commands: dict[str, tuple[str, ...]] = field(default_factory=dict)  # test/lint/typecheck
    # --- for `genaiops add` (what it adapts to) ------------------------------------------------
    dependencies: frozenset[str] = frozenset()  # declared package names, normalised
    requirements: tuple[str, ...] = ()  # requirements*.txt files of the project
    python: str | None = None  # .python-version, else requires-python, as declared
    node: str | None = None  # .nvmrc / .node-version, else engines.node, as declared
    dockerfile: str | None = None
    installable: bool = False  # pyproject.toml with a [build-system] (pip install -e works)


@dataclass(frozen=True)
class Pipeline:
    system: str  # github | azure-pipelines | gitlab | cloud-build
    path: str
    name: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class CiRun:
    """A CI step that runs tests, a linter, a type checker or an evaluation."""

    kind: str  # test | lint | typecheck | eval
    system: str
    workflow: str
    line: int
    command: str  # as written in the step
    cwd: str  # where it runs, relative to the root
    gate: bool  # its failure fails the run
    on_change: bool  # the workflow runs on push / pull request


@dataclass(frozen=True)
class DatasetView:
    """An evaluation dataset and the fields that hold its inputs and expectations."""

    path: str
    records: int
    valid: int  # real, distinct records
    fields: tuple[str, ...]
    input_field: str | None
    expect_field: str | None


@dataclass(frozen=True)
class EvalTargetHint:
    """What an existing eval config says about the app it evaluates (an HTTP endpoint and
    where the answer and its context are in the response)."""

    config: str
    url: str
    answer: str | None
    context: str | None
    request: str | None = None  # the JSON body the config's tool sends, {question} in it


@dataclass(frozen=True)
class Inventory:
    genai: str | None  # where GenAI practice shows, None for none
    projects: tuple[Project, ...]
    ci: tuple[Pipeline, ...]
    iac: dict[str, tuple[str, ...]]  # bicep | terraform | arm | cdk → files
    eval_entrypoints: tuple[str, ...]  # commands that run an evaluation
    datasets: tuple[str, ...]  # evaluation datasets with enough real records
    prompts: tuple[str, ...]
    # --- for `genaiops add` -------------------------------------------------------------------
    ci_runs: tuple[CiRun, ...] = ()
    dataset_views: tuple[DatasetView, ...] = ()  # every evaluation dataset found, good or not
    eval_targets: tuple[EvalTargetHint, ...] = ()
    corpus: tuple[str, ...] = ()  # grounding documents (what the app answers from)
    deploy_config: tuple[str, ...] = ()  # azure.yaml, Dockerfiles, ... (how it ships today)

    def project(self, path: str = "") -> Project | None:
        return next((p for p in self.projects if p.path == path), None)

    def ci_runs_of(self, kind: str, *, gating: bool = True) -> tuple[CiRun, ...]:
        """The CI steps of ``kind`` that run on every change (and can fail it)."""
        return tuple(
            r for r in self.ci_runs if r.kind == kind and r.on_change and (r.gate or not gating)
        )


def _package_manager(facts: Facts, base: str) -> str | None:
    repo = facts.repo
    for name, manager in _LOCKS:
        if repo.exists(base + name):
            return manager
    reqs = repo.glob(base + "requirements*.txt")
    if any(
        "pip-compile" in (repo.text(r) or "")[:2000] or "# via" in (repo.text(r) or "")
        for r in reqs
    ):
        return "pip-tools"
    if reqs:
        return "requirements"
    data = repo.toml(base + "pyproject.toml") if repo.exists(base + "pyproject.toml") else None
    if isinstance(data, dict):
        tool = data.get("tool") or {}
        if "poetry" in tool:
            return "poetry"
        if "uv" in tool:
            return "uv"
    if repo.exists(base + "package.json"):
        return "npm"
    return None


def _commands(facts: Facts, path: str) -> dict[str, tuple[str, ...]]:
    """Test, lint and type-check commands of a project: what its CI runs there first, then its
    Makefile targets, package.json scripts and pyproject tool tables."""
    found: dict[str, list[str]] = {k: [] for k in _KINDS}

    def add(kind: str, command: str) -> None:
        if command not in found[kind]:
            found[kind].append(command)

    for run in facts.workflows.runs:
        if run.leaf.cwd != path or not run.gate or _INSTALL.search(run.leaf.text):
            continue
        text = run.command
        if facts.is_test(run.leaf):
            add("test", text)
        elif _TYPECHECK.search(run.leaf.text):
            add("typecheck", text)
        elif _LINT.search(run.leaf.text):
            add("lint", text)
    mk = facts.resolver.makefile(path)
    for name in mk.targets if mk else {}:
        if name in ("test", "tests", "check"):
            add("test", f"make {name}")
        elif name in ("lint", "format-check"):
            add("lint", f"make {name}")
        elif name in ("typecheck", "type-check", "mypy"):
            add("typecheck", f"make {name}")
    for name in facts.resolver.npm_scripts(path):
        kind = {"test": "test", "lint": "lint", "typecheck": "typecheck", "type-check": "typecheck"}
        if name in kind:
            add(kind[name], f"npm run {name}")
    base = f"{path}/" if path else ""
    data = (
        facts.repo.toml(base + "pyproject.toml")
        if facts.repo.exists(base + "pyproject.toml")
        else None
    )
    tool = (data.get("tool") or {}) if isinstance(data, dict) else {}
    if "pytest" in tool:
        add("test", "pytest")
    if "ruff" in tool:
        add("lint", "ruff check .")
    if "mypy" in tool:
        add("typecheck", "mypy")
    return {k: tuple(v) for k, v in found.items() if v}


def inventory(facts: Facts) -> Inventory:
    """The repository as ``genaiops add`` needs it (see the module docstring)."""
    from generator.assess.probes.evaluation import eval_leaves, real_leaves

    projects = []
    for path in facts.project_dirs or [""]:
        base = f"{path}/" if path else ""
        manifests = tuple(
            base + m
            for m in ("pyproject.toml", "package.json", "Makefile", "setup.py", "go.mod")
            if facts.repo.exists(base + m)
        )
        files = facts.repo.under(path) if path else list(facts.repo.sizes)
        langs = sorted(
            {_LANG[f[f.rfind(".") :]] for f in files[:5000] if f[f.rfind(".") :] in _LANG}
        )
        requirements = tuple(
            r
            for r in facts.repo.glob(base + "requirements*.{txt,in}")
            if r.count("/") == base.count("/")
        )
        pyproject = (
            facts.repo.toml(base + "pyproject.toml")
            if facts.repo.exists(base + "pyproject.toml")
            else None
        )
        projects.append(
            Project(
                path=path,
                manifests=manifests,
                languages=tuple(langs),
                package_manager=_package_manager(facts, base),
                makefile=base + "Makefile" if facts.repo.exists(base + "Makefile") else None,
                commands=_commands(facts, path),
                dependencies=_dependencies(facts, base, requirements),
                requirements=requirements,
                python=_python_version(facts, base),
                node=_node_version(facts, base),
                dockerfile=base + "Dockerfile" if facts.repo.exists(base + "Dockerfile") else None,
                installable=isinstance(pyproject, dict) and "build-system" in pyproject,
            )
        )
    iac: dict[str, list[str]] = {}
    for rel in facts.iac_files:
        kind = (
            "bicep"
            if rel.endswith((".bicep", ".bicepparam"))
            else "terraform"
            if rel.endswith((".tf", ".tfvars"))
            else "arm"
            if rel.endswith(".json")
            else "cdk"
        )
        iac.setdefault(kind, []).append(rel)
    evals = [leaf.text for leaf in real_leaves(facts, eval_leaves(facts))]
    from generator.assess.probes.data import corpus_files

    return Inventory(
        genai=facts.genai,
        projects=tuple(projects),
        ci=tuple(
            Pipeline(w.system, w.path, w.name, tuple(sorted(w.effective_triggers())))
            for w in facts.workflows.workflows
        ),
        iac={k: tuple(v) for k, v in iac.items()},
        eval_entrypoints=tuple(dict.fromkeys(evals)),
        datasets=tuple(d.path for d in facts.good_datasets()),
        prompts=tuple(facts.prompt_files),
        ci_runs=_ci_runs(facts),
        dataset_views=tuple(_dataset_view(d) for d in facts.datasets),
        eval_targets=_eval_targets(facts),
        corpus=tuple(corpus_files(facts)[:50]),
        deploy_config=tuple(
            r
            for pattern in ("azure.yaml", "**/Dockerfile", "**/docker-compose*.{yml,yaml}")
            for r in facts.repo.glob(pattern)
            if "node_modules/" not in r
        ),
    )


# ----- what `genaiops add` adapts to -----------------------------------------------------------
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_URL_KEY = re.compile(r"(url|endpoint|target)", re.I)
_ANSWER_KEY = re.compile(r"answer.*(path|jmespath|key)|(path|jmespath).*answer", re.I)
_ANSWER_KEYS = (
    "reference_answer",
    "answer",
    "expected_answer",
    "ground_truth",
    "truth",
    "expected",
    "expected_output",
    "reference",
    "ideal",
    "gold",
    "output",
    "response",
)
_CONTEXT_KEY = re.compile(r"(context|citation|source).*(path|jmespath|key)", re.I)


def normalise(name: str) -> str:
    """A package name as indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(value: object) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        out.update(str(k) for k in value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                m = _REQ_NAME.match(item)
                if m:
                    out.add(m.group(1))
    return out


def _dependencies(facts: Facts, base: str, requirements: tuple[str, ...]) -> frozenset[str]:
    """Package names the project declares, in any of its manifests (dependency groups,
    extras, Poetry groups, requirements files one ``-r`` deep, package.json)."""
    repo = facts.repo
    names: set[str] = set()
    data = repo.toml(base + "pyproject.toml") if repo.exists(base + "pyproject.toml") else None
    if isinstance(data, dict):
        project = data.get("project") or {}
        names |= _names(project.get("dependencies"))
        for extra in (project.get("optional-dependencies") or {}).values():
            names |= _names(extra)
        for group in (data.get("dependency-groups") or {}).values():
            names |= _names(group)
        poetry = (data.get("tool") or {}).get("poetry") or {}
        names |= _names(poetry.get("dependencies")) | _names(poetry.get("dev-dependencies"))
        for group in (poetry.get("group") or {}).values():
            if isinstance(group, dict):
                names |= _names(group.get("dependencies"))
        for group in (
            ((data.get("tool") or {}).get("pdm") or {}).get("dev-dependencies") or {}
        ).values():
            names |= _names(group)
    seen: set[str] = set()
    queue = list(requirements)
    while queue:
        rel = queue.pop(0)
        if rel in seen or len(seen) > 20:
            continue
        seen.add(rel)
        folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        for line in (repo.text(rel) or "").splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith(("-r ", "--requirement ")):
                queue.append(_join_rel(folder, line.split(None, 1)[1].strip()))
                continue
            m = _REQ_NAME.match(line)
            if m and not line.startswith("-"):
                names.add(m.group(1))
    pkg = repo.json(base + "package.json") if repo.exists(base + "package.json") else None
    if isinstance(pkg, dict):
        for key in ("dependencies", "devDependencies"):
            names |= _names(pkg.get(key))
    names.discard("python")
    return frozenset(normalise(n) for n in names)


def _join_rel(folder: str, rel: str) -> str:
    parts: list[str] = []
    for part in (folder + rel).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _python_version(facts: Facts, base: str) -> str | None:
    text = (
        facts.repo.text(base + ".python-version")
        if facts.repo.exists(base + ".python-version")
        else None
    )
    if text and text.strip():
        return text.strip().splitlines()[0]
    data = (
        facts.repo.toml(base + "pyproject.toml")
        if facts.repo.exists(base + "pyproject.toml")
        else None
    )
    if isinstance(data, dict):
        req = (data.get("project") or {}).get("requires-python")
        if isinstance(req, str):
            return req
        poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
        if isinstance(poetry.get("python"), str):
            return str(poetry["python"])
    return None


def _node_version(facts: Facts, base: str) -> str | None:
    for name in (".nvmrc", ".node-version"):
        if facts.repo.exists(base + name):
            text = (facts.repo.text(base + name) or "").strip()
            if text:
                return text.splitlines()[0]
    pkg = (
        facts.repo.json(base + "package.json") if facts.repo.exists(base + "package.json") else None
    )
    if isinstance(pkg, dict) and isinstance(pkg.get("engines"), dict):
        node = pkg["engines"].get("node")
        return str(node) if node else None
    return None


def _ci_runs(facts: Facts) -> tuple[CiRun, ...]:
    from generator.assess.workflows import CHANGE_EVENTS

    out: list[CiRun] = []
    for run in facts.workflows.runs:
        leaf = run.leaf
        if _INSTALL.search(leaf.text):
            continue
        if facts.is_eval(leaf):
            kind = "eval"
        elif facts.is_test(leaf):
            kind = "test"
        elif _TYPECHECK.search(leaf.text):
            kind = "typecheck"
        elif _LINT.search(leaf.text):
            kind = "lint"
        else:
            continue
        out.append(
            CiRun(
                kind=kind,
                system=run.workflow.system,
                workflow=run.path,
                line=run.line,
                command=run.command,
                cwd=leaf.cwd,
                gate=run.gate,
                on_change=bool(run.workflow.effective_triggers() & CHANGE_EVENTS),
            )
        )
    return tuple(out)


def _dataset_view(d: object) -> DatasetView:
    from generator.assess.datasets import EXPECT_KEYS, INPUT_KEYS, Dataset

    assert isinstance(d, Dataset)
    lowered = {f.lower(): f for f in sorted(d.fields)}
    inp = next((lowered[k] for k in INPUT_KEYS if k in lowered), None)
    # the expected answer as text first (a list of document ids expects something else)
    exp = next((lowered[k] for k in (*_ANSWER_KEYS, *EXPECT_KEYS) if k in lowered), None)
    return DatasetView(d.path, d.records, d.valid, tuple(sorted(d.fields)), inp, exp)


def _eval_targets(facts: Facts) -> tuple[EvalTargetHint, ...]:
    """HTTP targets named by eval configs (``target_url``, ``*_answer_jmespath`` ...)."""
    out: list[EvalTargetHint] = []
    for rel in facts.threshold_candidates[:40]:
        data = facts.repo.config(rel)
        if not isinstance(data, dict):
            continue
        flat = _flat(data)
        url = next(
            (v for k, v in flat if _URL_KEY.search(k) and v.startswith(("http://", "https://"))),
            None,
        )
        if url is None:
            continue
        answer = next((v for k, v in flat if _ANSWER_KEY.search(k)), None)
        context = next((v for k, v in flat if _CONTEXT_KEY.search(k)), None)
        out.append(EvalTargetHint(rel, url, answer, context, _evaltools_request(data)))
    return tuple(out)


def _evaltools_request(config: dict[str, object]) -> str | None:
    """The body the ai-rag-chat-evaluator's ``evaltools`` posts for a config with
    ``target_parameters``: the question as a user message, the parameters as ``context``."""
    params = config.get("target_parameters")
    if not isinstance(params, dict) or not any("jmespath" in str(k) for k in config):
        return None
    body = {"messages": [{"content": "{question}", "role": "user"}], "context": params}
    return json.dumps(body)


def _flat(data: object, prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if depth > 4 or not isinstance(data, dict):
        return out
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, str):
            out.append((key, v))
        elif isinstance(v, dict):
            out.extend(_flat(v, key, depth + 1))
    return out
