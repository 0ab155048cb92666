"""Rules the template must keep so that it stays safe, portable and updatable."""

from __future__ import annotations

import re

from generator import safe_yaml

FORBIDDEN_IN_NAMES = set('":<>|?*')


def load_config(repo_root):
    text = (repo_root / "copier.yml").read_text()
    return safe_yaml.parse_copier_config(text, "copier.yml", repo_root)  # !include resolved


def test_template_runs_no_code(repo_root):
    config = load_config(repo_root)
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


def test_template_excludes_bytecode_explicitly(repo_root):
    # with _subdirectory set, Copier's default excludes are empty
    excludes = load_config(repo_root)["_exclude"]
    assert "__pycache__" in excludes and "*.py[co]" in excludes


def test_answers_file_is_rendered(repo_root):
    assert (repo_root / "template" / "{{_copier_conf.answers_file}}.jinja").is_file()


def test_template_path_names_are_portable(repo_root):
    bad = [
        p.relative_to(repo_root).as_posix()
        for p in (repo_root / "template").rglob("*")
        if FORBIDDEN_IN_NAMES & set(p.name)
    ]
    assert bad == []


def test_every_question_has_help_and_a_default(repo_root):
    for name, spec in load_config(repo_root).items():
        if name.startswith("_"):
            continue
        assert spec.get("help"), name
        assert "default" in spec, name


def test_includes_point_at_existing_files(repo_root):
    include = re.compile(r"{%-?\s*include\s+['\"]([^'\"]+)['\"]")
    missing = []
    for path in (repo_root / "template").rglob("*"):
        if path.is_file():
            for target in include.findall(path.read_text(errors="ignore")):
                if not (repo_root / target).is_file():
                    missing.append((path.name, target))
    assert missing == []
