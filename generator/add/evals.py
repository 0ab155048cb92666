"""``genaiops add eval``: the eval gate over the repository's own app and its own golden set.

The app is declared in ``evals/target.yaml`` (an HTTP endpoint or a Python callable); an eval
config the repository already has (``target_url``, ``*_answer_jmespath`` ...) supplies the
defaults. An evaluation dataset it already has is offered as the golden set, read in place
through a field mapping; otherwise a small skeleton is written in the repository's own terms
and the gate fails closed until real records replace its placeholders.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from generator.add import commands
from generator.add.plan import Plan

if TYPE_CHECKING:
    from generator.add.repo import RepoView
    from generator.assess.inventory import DatasetView, Project

SKELETON = "evals/golden.jsonl"
WORKFLOW = ".github/workflows/genaiops-eval.yml"
HARNESS = "eval"
SKELETON_ROWS = 3


def plan(view: RepoView, data: dict[str, Any]) -> Plan:
    result = Plan("eval")
    own = [f for f in view.facts.repo.under(HARNESS) if not f.startswith(f"{HARNESS}s/")]
    if own:
        result.refuse(
            f"the repository has an eval/ folder of its own ({own[0]}); the genaiops harness "
            "lives in eval/, so it would mix with yours"
        )
        return result
    inv = view.inventory
    hint = inv.eval_targets[0] if inv.eval_targets else None
    defaults: dict[str, Any] = {}
    if hint is not None:
        defaults.update(eval_target_kind="http", eval_target_url=hint.url)
        if hint.answer is not None:
            defaults["eval_target_answer"] = hint.answer
        if hint.context is not None:
            defaults["eval_target_citations"] = hint.context
        if hint.request is not None:
            defaults["eval_target_request"] = hint.request
        body = f" with the body its tool sends ({hint.request})" if hint.request else ""
        result.add("reuse", "the app's endpoint", f"{hint.url}, as {hint.config} calls it{body}")
        if hint.request is None:
            result.add(
                "skip",
                "the request body",
                f"{hint.config} does not say it: check `request` in evals/target.yaml against "
                "your API",
            )
    dataset = _golden(inv.dataset_views)
    if dataset is not None:
        defaults.update(
            eval_dataset=dataset.path,
            eval_question_field=dataset.input_field,
            eval_answer_field=dataset.expect_field,
            eval_citations_field=_cited_field(dataset),
        )
    result.defaults = defaults
    name = view.free_target("eval", "eval-gate")
    github = not view.ci_systems or "github" in view.ci_systems
    project = _app_project(view)
    result.answers["adapt"] = {
        "default_branch": view.default_branch,
        "eval_target": name,
        # by the kind the answers choose (it may be asked after this plan is made)
        "eval_python": {k: _harness_python(k, project) for k in ("http", "callable")},
        "python": commands.python_version([project] if project else []),
        "workflow": github,
        "callable_path": [project.path] if project and project.path else ["."],
    }
    result.add("add", "the eval harness", "metrics, gate and reports of genaiops", "eval/")
    result.add(
        "add",
        f"make {name}",
        "writes the golden set, fails closed on placeholders, runs the harness",
        "mk/genaiops-eval.mk",
    )
    result.add("add", "the app's declaration", "how the gate calls the app", "evals/target.yaml")
    result.add("add", "the gate's floors", "rougeL, citation_recall", "evals/gate.yaml")
    if github:
        result.add(
            "add",
            "eval gate workflow",
            f"`make {name}` on every pull request; an HTTP app is reached at the repository "
            "variable EVAL_TARGET_URL (your staging app): without it the job fails, the app "
            "not running in the CI runner",
            WORKFLOW,
        )
    else:
        result.add(
            "skip",
            "eval gate workflow",
            f"the repository's CI is {', '.join(view.ci_systems)}; call `make {name}` from it",
        )
    if name != "eval":
        result.add("skip", "make eval", "the Makefile has an `eval` target of its own: kept")
    for entry in inv.eval_entrypoints[:3]:
        result.add("reuse", "your evaluation", f"`{entry}` stays as it is")
    return result


def finish(view: RepoView, result: Plan, answers: dict[str, Any]) -> None:
    """With the final answers: the golden set is the repository's, or a skeleton to write."""
    path = str(answers.get("eval_dataset", SKELETON))
    if view.exists(path):
        shown = (
            f"{answers.get('eval_question_field')} -> question, "
            f"{answers.get('eval_answer_field')} -> reference_answer"
        )
        result.add("reuse", "golden set", f"read in place ({shown})", path)
        return
    cites = bool(answers.get("eval_target_citations")) and bool(answers.get("eval_citations_field"))
    result.writes[path] = skeleton(view, answers, cites)
    result.add(
        "create",
        "golden set skeleton",
        f"{SKELETON_ROWS} placeholder records in your terms: the gate fails until you write "
        "real ones (at least 10)",
        path,
    )


def skeleton(view: RepoView, answers: dict[str, Any], cites: bool) -> str:
    """A few records that say what to write, naming the repository's own documents."""
    name = view.root.name
    docs = list(view.inventory.corpus[:SKELETON_ROWS])
    q_field = str(answers.get("eval_question_field") or "question")
    a_field = str(answers.get("eval_answer_field") or "reference_answer")
    c_field = str(answers.get("eval_citations_field") or "")
    rows = []
    for i in range(SKELETON_ROWS):
        doc = docs[i] if i < len(docs) else None
        about = f" that {doc} answers" if doc else ""
        row: dict[str, Any] = {
            "id": f"q{i + 1}",
            q_field: f"TODO: a question users of {name} ask{about}",
            a_field: "TODO: the answer you expect, in your own words",
        }
        if cites and c_field:
            row[c_field] = [f"TODO: the id the app cites for {doc or 'the document that holds it'}"]
        rows.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(rows) + "\n"


def _golden(views: tuple[DatasetView, ...]) -> DatasetView | None:
    """The repository's dataset with the most real records that has questions and answers."""
    usable = [d for d in views if d.valid >= 10 and d.input_field and d.expect_field]
    usable = [d for d in usable if d.path.endswith((".jsonl", ".json", ".csv"))]
    return max(usable, key=lambda d: d.valid) if usable else None


def _cited_field(dataset: DatasetView) -> str:
    for name in ("cited_doc_ids", "doc_ids", "relevant_doc_ids", "expected_doc_ids", "citations"):
        if name in dataset.fields:
            return name
    return ""


def _app_project(view: RepoView) -> Project | None:
    """The Python project the app lives in (a callable target imports from it)."""
    python = [p for p in view.projects if commands.is_python(p)]
    if not python:
        return None
    with_genai = view.inventory.genai or ""
    for project in sorted(python, key=lambda p: -len(p.path)):
        if project.path and with_genai.startswith(project.path + "/"):
            return project
    return python[0]


def _harness_python(kind: str, project: Project | None) -> str:
    """The command that runs ``python`` for the harness: its own pinned environment, plus the
    app's dependencies when the app is called in-process."""
    base = "$(UV) run --no-project --python '>=3.11' --with-requirements eval/requirements.txt"
    if kind != "callable" or project is None:
        return f"{base} python"
    reqs = [r for r in project.requirements if r.endswith(".txt")]
    if project.installable:
        return f"{base} --with-editable ./{project.path or '.'} python"
    if reqs:
        return f"{base} " + " ".join(f"--with-requirements {r}" for r in reqs) + " python"
    return f"{base} python"
