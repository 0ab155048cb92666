"""``genaiops new``: what it writes, records and commits on the good paths."""

from __future__ import annotations

import json
import subprocess

from ruamel.yaml import YAML

ANSWER_KEYS = {
    "project_name",
    "project_slug",
    "description",
    "use_case",
    "iac",
    "iac_profile",
    "gateway",
    "azure_location",
    "owner",
    "python_version",
}


def load_answers(repo):
    return YAML(typ="safe").load((repo / ".copier-answers.yml").read_text())


def git(repo, *args):
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def test_defaults_render_record_answers_and_commit(run_cli, tmp_path):
    dest = tmp_path / "workload"
    proc = run_cli("new", dest, "--defaults")
    assert proc.returncode == 0, proc.stderr
    answers = load_answers(dest)
    assert set(answers) >= ANSWER_KEYS
    assert answers["use_case"] == "rag_chat"
    assert answers["iac"] == "bicep"
    assert answers["project_slug"] == "genai_workload"
    assert (dest / "src" / "genai_workload" / "api.py").is_file()
    # one commit holding every file, nothing left untracked
    assert git(dest, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(dest, "status", "--porcelain") == ""
    assert git(dest, "branch", "--show-current").strip() == "main"
    tracked = set(git(dest, "ls-files").split())
    assert {".copier-answers.yml", "README.md", "Makefile", "pyproject.toml"} <= tracked
    # the summary names the place and the next two commands
    assert str(dest) in proc.stdout
    assert "make run" in proc.stdout and "make test" in proc.stdout


def test_data_answers_reach_the_rendered_files(run_cli, tmp_path):
    dest = tmp_path / "triage"
    proc = run_cli(
        "new",
        dest,
        "--defaults",
        "--data",
        "project_name=Log Triage",
        "--data",
        "use_case=classification",
        "--data",
        "iac=terraform",
    )
    assert proc.returncode == 0, proc.stderr
    answers = load_answers(dest)
    assert answers["project_slug"] == "log_triage"
    assert answers["use_case"] == "classification"
    assert answers["iac"] == "terraform"
    assert 'name = "log-triage"' in (dest / "pyproject.toml").read_text()


def test_data_file_answers_and_data_wins(run_cli, tmp_path):
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("project_name: Doc Digest\nuse_case: summarization\nowner: data-team\n")
    dest = tmp_path / "digest"
    proc = run_cli(
        "new", dest, "--defaults", "--data-file", answers_file, "--data", "owner=ml-team"
    )
    assert proc.returncode == 0, proc.stderr
    answers = load_answers(dest)
    assert answers["project_slug"] == "doc_digest"
    assert answers["use_case"] == "summarization"
    assert answers["owner"] == "ml-team"


def test_pretend_lists_files_and_writes_nothing(run_cli, tmp_path):
    dest = tmp_path / "nested" / "pretend"
    proc = run_cli("new", dest, "--defaults", "--pretend", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["pretend"] is True
    assert "README.md" in payload["files"] and ".copier-answers.yml" in payload["files"]
    assert not (tmp_path / "nested").exists()
    assert list(tmp_path.iterdir()) == []


def test_no_git_skips_the_repository(run_cli, tmp_path):
    dest = tmp_path / "plain"
    proc = run_cli("new", dest, "--defaults", "--no-git")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "README.md").is_file()
    assert not (dest / ".git").exists()


def test_json_summary_is_machine_readable(run_cli, tmp_path):
    dest = tmp_path / "j"
    proc = run_cli("new", dest, "--defaults", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["dest"] == str(dest)
    assert payload["answers"]["use_case"] == "rag_chat"
    assert len(payload["commit"]) == 40
    assert sorted(payload["files"]) == payload["files"]
    on_disk = sorted(
        p.relative_to(dest).as_posix()
        for p in dest.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(dest).parts
    )
    assert payload["files"] == on_disk


def test_creates_missing_parent_directories(run_cli, tmp_path):
    dest = tmp_path / "a" / "b" / "c"
    proc = run_cli("new", dest, "--defaults", "--no-git")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "README.md").is_file()


def test_empty_existing_directory_is_used(run_cli, tmp_path):
    dest = tmp_path / "empty"
    dest.mkdir()
    proc = run_cli("new", dest, "--defaults")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "README.md").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".genaiops-new-")]


def test_force_adds_beside_unrelated_files_and_keeps_them(run_cli, tmp_path):
    dest = tmp_path / "existing"
    (dest / "notes").mkdir(parents=True)
    (dest / "notes" / "todo.txt").write_text("keep me\n")
    (dest / "LICENSE").write_text("my licence\n")
    proc = run_cli("new", dest, "--defaults", "--force", "--no-git")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "notes" / "todo.txt").read_text() == "keep me\n"
    assert (dest / "LICENSE").read_text() == "my licence\n"
    assert (dest / "README.md").is_file()


def test_rendered_project_has_no_bytecode_or_caches(generated):
    repo = generated()
    junk = [
        p
        for p in repo.rglob("*")
        if p.name in ("__pycache__", ".pytest_cache", ".DS_Store") or p.suffix in (".pyc", ".pyo")
    ]
    assert junk == []


def test_local_template_directory_can_be_chosen(run_cli, tmp_path):
    template = tmp_path / "tpl"
    (template / "t").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: t\ngreeting:\n  type: str\n  default: hi\n"
    )
    (template / "t" / "hello.txt.jinja").write_text("{{ greeting }} world\n")
    (template / "t" / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml -}}\n"
    )
    dest = tmp_path / "out"
    proc = run_cli("new", dest, "--template", template, "--data", "greeting=hello", "--no-git")
    assert proc.returncode == 0, proc.stderr
    assert (dest / "hello.txt").read_text() == "hello world\n"


def test_inside_an_existing_repository_adds_files_without_nesting_or_committing(run_cli, tmp_path):
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    (mono / "README.md").write_text("monorepo\n")
    git(mono, "add", "README.md")
    git(mono, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    dest = mono / "services" / "chat"
    proc = run_cli("new", dest, "--defaults", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["commit"] is None
    assert payload["git_work_tree"] == str(mono)
    assert not (dest / ".git").exists()
    assert git(mono, "rev-list", "--count", "HEAD").strip() == "1"
    assert "?? services/" in git(mono, "status", "--porcelain")
