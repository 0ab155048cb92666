"""`genaiops add CAPABILITY`: how a capability's files are brought into a repository genaiops
did not make (added, left alone when identical, never overwritten), recorded, refused and kept
current by `update`.

The template is built from our real ``copier.yml`` (its ``capability`` question and the
``capability_paths`` map behind its exclusions) with two capabilities of its own added,
``handbook`` and ``guide``: they have no planner in ``generator.add``, so their files arrive as
the template has them, which is what these tests look at. The planners (workflows, eval, iac,
pre-commit) are tested on repositories of real shapes in ``tests/add/``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from update_helpers import (
    REPO_ROOT,
    CliResult,
    commit_all,
    git,
    make_template,
    snapshot,
    write_files,
)

CI_V1 = "name: ci\non: push\n# package {{ project_slug }}\n"
CI_V2 = "name: ci\non: [push, pull_request]\n# package {{ project_slug }}\n"
ANCHOR = "    pre-commit: [/.pre-commit-config.yaml]\n"
CONFIG = (REPO_ROOT / "copier.yml").read_text()
assert ANCHOR in CONFIG
V1 = {
    "copier.yml": CONFIG.replace(
        ANCHOR,
        ANCHOR + "    handbook: [/handbook/, /mk/handbook.mk]\n    guide: [/guide/]\n",
    ),
    "use_cases.yml": (REPO_ROOT / "use_cases.yml").read_text(),  # copier.yml includes it
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers | to_nice_yaml -}}\n",
    "template/README.md.jinja": "# {{ project_name }}\n",
    "template/handbook/ci.yml.jinja": CI_V1,
    "template/mk/handbook.mk": ".PHONY: handbook\nhandbook:\n\t@echo handbook\n",
    "template/guide/config.yaml": "repos: []\n",
    "template/guide/run.py": "print('guide')\n",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(
        tmp_path_factory.mktemp("tpl") / "tpl",
        [("v0.1.0", V1), ("v0.2.0", {"template/handbook/ci.yml.jinja": CI_V2})],
    )


@pytest.fixture
def repo(tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An existing team repository, with our template named as the genaiops template."""
    monkeypatch.setenv("GENAIOPS_TEMPLATE_URL", str(template))
    root = tmp_path / "payments-api"
    root.mkdir()
    git(root, "init", "--quiet")
    write_files(
        root,
        {
            "README.md": "# payments\n",
            "guide/config.yaml": "repos:\n- repo: local\n  hooks: []\n",
        },
    )
    commit_all(root, "existing work")
    return root


def test_add_brings_only_the_layer(repo: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("add", "handbook", repo, "--defaults", "--vcs-ref", "0.1.0")
    assert result.code == 0, result.err
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == [
        "?? .copier-answers.handbook.yml",
        "?? Makefile",
        "?? handbook/ci.yml",
        "?? mk/handbook.mk",
    ]
    assert (repo / "handbook/ci.yml").read_text() == (
        "name: ci\non: push\n# package payments_api\n"
    )
    answers = (repo / ".copier-answers.handbook.yml").read_text()
    assert "capability: handbook\n" in answers and "_commit: v0.1.0\n" in answers
    assert "project_name: payments-api\n" in answers
    assert "added (3): handbook/ci.yml, mk/handbook.mk, Makefile" in result.out
    # the added make target exists: the new Makefile includes mk/*.mk
    assert (repo / "Makefile").read_text().endswith("\ninclude mk/*.mk\n")
    make = subprocess.run(["make", "-s", "handbook"], cwd=repo, capture_output=True, text=True)
    assert make.returncode == 0 and make.stdout == "handbook\n", make.stderr


def test_an_existing_makefile_gets_one_include_line(
    repo: Path, cli: Callable[..., CliResult]
) -> None:
    ours = ".PHONY: test\ntest:\n\t@echo our tests\n"
    write_files(repo, {"Makefile": ours})
    commit_all(repo, "a Makefile")
    result = cli("add", "handbook", repo, "--defaults")
    assert result.code == 0, result.err
    assert "edit:" in result.out and "one line appended: `include mk/*.mk`" in result.out
    text = (repo / "Makefile").read_text()
    assert text.startswith(ours) and text.endswith("\ninclude mk/*.mk\n")
    assert text.count("\n") == ours.count("\n") + 3  # blank line, comment, include
    for target, said in (("test", "our tests"), ("handbook", "handbook")):
        make = subprocess.run(["make", "-s", target], cwd=repo, capture_output=True, text=True)
        assert make.stdout == said + "\n", make.stderr
    default = subprocess.run(["make", "-s"], cwd=repo, capture_output=True, text=True)
    assert default.stdout == "our tests\n"  # the default goal stays the repository's


def test_existing_file_is_never_overwritten(repo: Path, cli: Callable[..., CliResult]) -> None:
    theirs_before = (repo / "guide/config.yaml").read_text()
    result = cli("add", "guide", repo, "--defaults")
    assert result.code == 1
    assert "CONFLICTS (1): guide/config.yaml" in result.out
    merged = (repo / "guide/config.yaml").read_text()
    assert merged.startswith("<<<<<<< before updating\n")
    for line in theirs_before.splitlines():
        assert line in merged
    assert "repos: []" in merged
    assert "AA guide/config.yaml" in git(repo, "status", "--porcelain")


def test_rej_mode_keeps_the_file_and_writes_a_patch(
    repo: Path, cli: Callable[..., CliResult]
) -> None:
    before = (repo / "guide/config.yaml").read_bytes()
    result = cli("add", "guide", repo, "--defaults", "--conflict", "rej", "--format", "json")
    assert result.code == 1
    payload = json.loads(result.out)
    assert payload["rejects"] == ["guide/config.yaml.rej"]
    assert payload["plan"]["capability"] == "guide"
    assert (repo / "guide/config.yaml").read_bytes() == before
    assert "+repos: []" in (repo / "guide/config.yaml.rej").read_text()


def test_identical_file_is_left_alone(repo: Path, cli: Callable[..., CliResult]) -> None:
    write_files(repo, {"guide/config.yaml": "repos: []\n"})
    commit_all(repo, "same as the template")
    result = cli("add", "guide", repo, "--defaults")
    assert result.code == 0
    assert "unchanged (1): guide/config.yaml" in result.out


@pytest.mark.parametrize(
    ("setup", "args", "expect"),
    [
        (
            "none",
            ["bogus"],
            "unknown capability 'bogus' (choose from: workflows, iac, eval, pre-commit, "
            "handbook, guide, pipelines)",
        ),
        ("dirty", ["guide"], "uncommitted changes"),
        ("applied", ["handbook"], "capability handbook is already applied"),
        ("generated", ["guide"], "was generated by genaiops and already has every capability"),
        ("none", ["guide", "--data", "nope=1"], "unknown question(s): nope"),
        ("none", ["guide", "--data", "adapt={}"], "adapt is what genaiops add computes"),
    ],
)
def test_refusals_change_nothing(
    repo: Path,
    cli: Callable[..., CliResult],
    template: Path,
    setup: str,
    args: list[str],
    expect: str,
) -> None:
    if setup == "dirty":
        (repo / "README.md").write_text("wip\n")
    elif setup == "applied":
        assert cli("add", "handbook", repo, "--defaults").code == 0
        commit_all(repo, "handbook")
    elif setup == "generated":
        # a generated repository: its answers, and the eval capability's paths it rendered
        rendered = ["eval/run.py", "evals/x", "data/eval/x", "mk/eval.mk", "docs/eval.md"]
        write_files(repo, dict.fromkeys(rendered, "x\n"))
        write_files(repo, {".copier-answers.yml": f"_commit: v0.1.0\n_src_path: {template}\n"})
        commit_all(repo, "generated")
    before = snapshot(repo)
    result = cli("add", *args[:1], repo, *args[1:], "--defaults")
    assert result.code == 2, result
    assert expect in result.err
    assert snapshot(repo) == before


def test_pretend_writes_nothing(repo: Path, cli: Callable[..., CliResult]) -> None:
    before = snapshot(repo)
    result = cli("add", "handbook", repo, "--defaults", "--pretend")
    assert result.code == 0
    assert "would add capability handbook" in result.out
    assert "added (3): handbook/ci.yml, mk/handbook.mk, Makefile" in result.out
    assert "will create (yours from then on):" in result.out  # the plan comes first
    assert snapshot(repo) == before


def test_update_keeps_every_added_layer_current(repo: Path, cli: Callable[..., CliResult]) -> None:
    assert cli("add", "handbook", repo, "--defaults", "--vcs-ref", "v0.1.0").code == 0
    commit_all(repo, "handbook")
    (repo / "guide/config.yaml").unlink()
    commit_all(repo, "no guide yet")
    assert cli("add", "guide", repo, "--defaults", "--vcs-ref", "v0.1.0").code == 0
    commit_all(repo, "guide")
    ci = repo / "handbook/ci.yml"
    ci.write_text(ci.read_text() + "# team: keep this\n")
    commit_all(repo, "team edit")
    head = git(repo, "rev-parse", "HEAD")

    result = cli("update", repo, "--format", "json")
    assert result.code == 0, result.err
    payload = {p["answers_file"]: p for p in json.loads(result.out)}
    assert payload[".copier-answers.handbook.yml"]["updated"] == ["handbook/ci.yml"]
    assert payload[".copier-answers.guide.yml"]["status"] == "updated"
    assert payload[".copier-answers.guide.yml"]["updated"] == []
    assert (
        ci.read_text() == "name: ci\non: [push, pull_request]\n# package payments_api\n"
        "# team: keep this\n"
    )
    assert git(repo, "rev-parse", "HEAD") == head  # the intermediate commit was undone
    assert "_commit: v0.2.0" in (repo / ".copier-answers.guide.yml").read_text()
    assert "_commit: v0.2.0" in (repo / ".copier-answers.handbook.yml").read_text()


def test_a_new_capability_is_one_entry_of_copier_yml(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line in ``capability_paths`` (GitLab CI, say) and `add` offers it."""
    config = V1["copier.yml"]
    pipelines = {
        "copier.yml": config.replace(ANCHOR, ANCHOR + "    gitlab: [/.gitlab/]\n"),
        "template/.gitlab/ci.yml.jinja": "stages: [test]\n# {{ project_slug }}\n",
    }
    template = make_template(tmp_path / "tpl", [("v0.1.0", {**V1, **pipelines})])
    monkeypatch.setenv("GENAIOPS_TEMPLATE_URL", str(template))
    root = tmp_path / "svc"
    root.mkdir()
    git(root, "init", "--quiet")
    write_files(root, {"README.md": "# svc\n"})
    commit_all(root, "existing work")
    result = cli("add", "gitlab", root, "--defaults")
    assert result.code == 0, result.err
    status = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == ["?? .copier-answers.gitlab.yml", "?? .gitlab/ci.yml"]
    assert "capability: gitlab\n" in (root / ".copier-answers.gitlab.yml").read_text()
    bogus = cli("add", "bogus", root, "--defaults")
    assert (
        "choose from: workflows, iac, eval, pre-commit, gitlab, handbook, guide, pipelines"
        in bogus.err
    )


def test_the_capability_map_is_data_read_by_copier_and_genaiops(repo_root: Path) -> None:
    from generator.questions import load_questions
    from generator.update.capabilities import capability_paths

    questions = load_questions(repo_root)
    paths = capability_paths(repo_root)
    assert set(paths) == {"workflows", "iac", "eval", "pre-commit", "pipelines"}
    assert all(p.startswith("/") for entries in paths.values() for p in entries)
    assert questions["capability_paths"]["when"] is False  # computed: never asked or recorded
    from generator import safe_yaml

    config = safe_yaml.parse_copier_config((repo_root / "copier.yml").read_text(), "", repo_root)
    excludes = config["_exclude"]
    assert any("capability_paths[capability]" in entry for entry in excludes)
    assert max(len(line) for entry in excludes for line in entry.splitlines()) <= 80


def test_no_terminal_names_only_options_add_has(repo: Path, cli: Callable[..., CliResult]) -> None:
    before = snapshot(repo)
    result = cli("add", "guide", repo)
    assert result.code == 2
    assert "--defaults or --data KEY=VALUE" in result.err
    assert "--data-file" not in result.err
    assert snapshot(repo) == before
