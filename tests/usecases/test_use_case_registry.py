"""The use case registry (use_cases.yml) and every place that reads it agree.

One rendering per use case, of only the files that read the registry; the template's own files
(prompt folder, dataset, handler, baseline) are read where they are. Fast: no install.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from genrepo import USE_CASES, copy_template_root, use_case_registry

from generator.questions import computed_values, jinja_environment, load_questions, rendered_choices

READERS = (
    "src/genai_workload/use_cases.json",
    "evals/thresholds.yaml",
    "README.md",
    "docs/responsible-ai.md",
    ".github/workflows/",
    "infra/",
    ".copier-answers.yml",
)
TEMPLATE_PACKAGE = Path("template") / "src" / "{{project_slug}}"


@pytest.fixture(scope="module")
def rendered(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each use case rendered by Copier from a plain copy of the working tree (no git clone)."""
    import copier

    from generator.scaffold import subset_exclude

    root = tmp_path_factory.mktemp("registry")
    template = copy_template_root(root / "template-root", repo_root)
    out = {}
    for name in USE_CASES:
        copier.run_copy(
            str(template),
            root / name,
            data={"use_case": name},
            defaults=True,
            quiet=True,
            exclude=subset_exclude(list(READERS)),
        )
        out[name] = root / name
    return out


def entries() -> list[dict[str, Any]]:
    return use_case_registry()


def test_the_registry_is_well_formed() -> None:
    names = [e["name"] for e in entries()]
    assert names[:3] == ["rag_chat", "summarization", "classification"]
    assert len(set(names)) == len(names)
    for entry in entries():
        assert set(entry) <= {"name", "title", "app", "eval", "eval_generative", "docs"}
        app = entry["app"]
        assert app["input"] in ("question", "text") and app["scorer"] in ("rag", "text", "label")
        assert app["input"] in app["fields"] and "id" in app["fields"]  # what the suite sends
        if app["scorer"] == "text":
            assert app["reference"] in app["fields"]
        if app["input"] == "question":
            assert app["route"] == "/chat"  # the conversational router serves /chat only
        assert entry["eval"]["dataset"] == f"data/eval/{entry['name']}.jsonl"
        assert entry["eval"]["primary"] in entry["eval"]["floors"]


def test_copier_and_genaiops_offer_the_registry_as_the_use_case_choices(repo_root: Path) -> None:
    questions = load_questions(repo_root)
    env = jinja_environment()
    context = computed_values(questions, {}, env)
    assert rendered_choices(questions["use_case"], context, env) == list(USE_CASES)
    assert questions["use_case"]["default"] in USE_CASES
    from copier._template import load_template_config

    config = load_template_config(repo_root / "copier.yml")  # Copier's own reader: !include
    assert config["use_cases"]["default"] == entries()


@pytest.mark.parametrize("name", USE_CASES)
def test_the_rendered_app_registry_is_the_entry(rendered: dict[str, Path], name: str) -> None:
    registry = json.loads((rendered[name] / READERS[0]).read_text())
    assert list(registry) == list(USE_CASES)
    for entry in entries():
        assert registry[entry["name"]] == {"title": entry["title"], **entry["app"]}
    answers = yaml.safe_load((rendered[name] / ".copier-answers.yml").read_text())
    assert answers["use_case"] == name
    assert not {"use_cases", "use_case_entry", "use_case_needs_search"} & set(answers)


@pytest.mark.parametrize("name", USE_CASES)
def test_thresholds_are_the_entries_eval_sections(rendered: dict[str, Path], name: str) -> None:
    thresholds = yaml.safe_load((rendered[name] / "evals" / "thresholds.yaml").read_text())
    assert thresholds["suites"] == [name]
    generative = thresholds["providers"]["azure_openai"]
    for entry in entries():
        assert thresholds[entry["name"]] == entry["eval"]
        assert generative.get(entry["name"]) == entry.get("eval_generative")
    assert thresholds["providers"]["openai"] == generative  # the YAML anchor still holds


@pytest.mark.parametrize("name", USE_CASES)
def test_docs_carry_the_entrys_text(rendered: dict[str, Path], name: str) -> None:
    entry = next(e for e in entries() if e["name"] == name)
    readme = (rendered[name] / "README.md").read_text()
    example = entry["docs"].get("example")
    routes = re.findall(r"^curl -s localhost:8000(/\S*) ", readme, re.MULTILINE)
    assert (
        routes == [entry["app"]["route"], "/chat", "/feedback"]
        if example
        else ["/chat", "/feedback"]
    )
    if example:
        assert f"-d '{json.dumps(example)}'" in readme
    rai = (rendered[name] / "docs" / "responsible-ai.md").read_text()
    assert f"## Intended use\n\n{entry['docs']['intended_use']}\n\n## Out of scope" in rai


@pytest.mark.parametrize("name", USE_CASES)
def test_search_comes_with_the_entry(rendered: dict[str, Path], name: str) -> None:
    search = next(e for e in entries() if e["name"] == name)["app"]["search"]
    repo = rendered[name]
    assert (repo / ".github" / "workflows" / "refresh-index.yml").is_file() is search
    assert (repo / "infra" / "modules" / "search.bicep").is_file() is search
    assert (
        "module search 'modules/search.bicep'" in (repo / "infra" / "main.bicep").read_text()
    ) is search


@pytest.mark.parametrize("name", USE_CASES)
def test_each_entry_has_its_prompt_dataset_handler_and_baseline(repo_root: Path, name: str) -> None:
    entry = next(e for e in entries() if e["name"] == name)
    app = entry["app"]
    prompt = yaml.safe_load(
        (repo_root / "template" / "prompts" / app["prompt"] / "default.yaml").read_text()
    )
    assert prompt["id"] == app["prompt"]
    dataset = repo_root / "template" / entry["eval"]["dataset"]
    records = [json.loads(line) for line in dataset.read_text().splitlines() if line.strip()]
    assert len(records) >= entry["eval"]["min_items"]
    assert all(set(app["fields"]) <= set(r) for r in records)
    module, _, attribute = app["handler"].partition(":")
    tree = ast.parse((repo_root / TEMPLATE_PACKAGE / f"{module}.py").read_text())
    function = _find(tree, attribute.split("."))
    assert isinstance(function, ast.AsyncFunctionDef), app["handler"]
    params = [a.arg for a in function.args.args]
    assert params[:2] in (["self", "question"], ["self", "text"], ["orchestrator", "text"])
    assert "request_id" in params and function.returns is not None
    assert repr(app["prompt"]) in ast.unparse(function)  # it runs the entry's prompt
    scores = repo_root / "template" / "evals" / "baseline" / "local" / "scores.jsonl"
    assert any(json.loads(line)["suite"] == name for line in scores.read_text().splitlines())


def _find(node: ast.AST, path: list[str]) -> ast.AST | None:
    for child in ast.iter_child_nodes(node):
        named = isinstance(child, ast.ClassDef | ast.AsyncFunctionDef | ast.FunctionDef)
        if named and child.name == path[0]:
            return child if len(path) == 1 else _find(child, path[1:])
    return None
