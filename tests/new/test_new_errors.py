"""``genaiops new`` on bad input: one clear line, exit 2, nothing written, nothing lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


def snapshot(root):
    """Every path under ``root`` with its content, to prove nothing changed."""
    state = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        state[rel] = path.read_bytes() if path.is_file() else None
    return state


def assert_clean_failure(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("My-Project", "Python package name"),
        ("9lives", "Python package name"),
        ("class", "keyword"),
        ("", "Python package name"),
    ],
)
def test_invalid_slug(run_cli, tmp_path, slug, reason):
    before = snapshot(tmp_path)
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data", f"project_slug={slug}")
    assert_clean_failure(proc, "project_slug", reason)
    assert snapshot(tmp_path) == before


def test_unknown_data_key(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data", "usecase=rag_chat")
    assert_clean_failure(proc, "unknown question", "usecase")
    assert list(tmp_path.iterdir()) == []


def test_malformed_data_option(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data", "use_case")
    assert_clean_failure(proc, "KEY=VALUE")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("use_case", "translation"), ("iac", "pulumi"), ("python_version", "2.7")],
)
def test_value_outside_choices(run_cli, tmp_path, key, value):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data", f"{key}={value}")
    assert_clean_failure(proc, key, value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("use_case: [rag_chat\n", "not valid YAML"),
        ("- rag_chat\n- bicep\n", "expected a mapping"),
        ("just a string\n", "expected a mapping"),
    ],
)
def test_malformed_data_file(run_cli, tmp_path, content, needle):
    answers = tmp_path / "answers.yml"
    answers.write_text(content)
    before = snapshot(tmp_path)
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", answers)
    assert_clean_failure(proc, needle)
    assert snapshot(tmp_path) == before


def test_missing_data_file(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", tmp_path / "nope.yml")
    assert_clean_failure(proc, "no such file")
    assert list(tmp_path.iterdir()) == []


def test_data_file_with_unknown_key(run_cli, tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: X\ncolour: blue\n")
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", answers)
    assert_clean_failure(proc, "colour")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml"]


def test_non_empty_destination_is_never_touched(run_cli, tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "README.md").write_text("my own readme\n")
    (dest / "src").mkdir()
    (dest / "src" / "app.py").write_text("print('mine')\n")
    before = snapshot(tmp_path)
    proc = run_cli("new", dest, "--defaults")
    assert_clean_failure(proc, "not empty", str(dest))
    assert snapshot(tmp_path) == before


def test_force_refuses_to_replace_a_file(run_cli, tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "README.md").write_text("my own readme\n")
    before = snapshot(tmp_path)
    proc = run_cli("new", dest, "--defaults", "--force")
    assert_clean_failure(proc, "README.md", "nothing was changed")
    assert snapshot(tmp_path) == before


def test_destination_is_a_file(run_cli, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("data\n")
    proc = run_cli("new", target, "--defaults")
    assert_clean_failure(proc, "not a directory")
    assert target.read_text() == "data\n"


def test_unwritable_destination(run_cli, cli_env, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    dest = locked / "p"
    if os.geteuid() == 0:
        # root ignores permission bits: make the directory a read-only mount instead
        if shutil.which("unshare") is None:
            pytest.skip("needs unshare to make a read-only directory as root")
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        proc = subprocess.run(
            [
                "unshare",
                "-m",
                "sh",
                "-c",
                script,
                "sh",
                str(locked),
                sys.executable,
                "-m",
                "generator",
                "new",
                str(dest),
                "--defaults",
            ],
            capture_output=True,
            text=True,
            env=cli_env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    else:
        proc = run_cli("new", dest, "--defaults")
    assert_clean_failure(proc, "cannot write", str(locked))
    assert list(locked.iterdir()) == []


def test_template_that_does_not_exist(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--template", tmp_path / "no-such-template")
    assert_clean_failure(proc, "no such file or directory")
    assert list(tmp_path.iterdir()) == []


def test_template_directory_without_copier_yml(run_cli, tmp_path):
    (tmp_path / "not-a-template").mkdir()
    proc = run_cli("new", tmp_path / "p", "--defaults", "--template", tmp_path / "not-a-template")
    assert_clean_failure(proc, "not a Copier template")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-template"]


def test_unreachable_git_template(run_cli, tmp_path):
    url = (tmp_path / "missing.git").as_uri()
    proc = run_cli("new", tmp_path / "p", "--defaults", "--template", url)
    assert_clean_failure(proc, "cannot fetch template")
    assert list(tmp_path.iterdir()) == []


def test_template_with_tasks_needs_trust(run_cli, tmp_path):
    template = tmp_path / "tpl"
    template.mkdir()
    (template / "copier.yml").write_text("_tasks:\n  - touch pwned\nname:\n  default: x\n")
    (template / "a.txt").write_text("a\n")
    proc = run_cli("new", tmp_path / "p", "--defaults", "--template", template)
    assert_clean_failure(proc, "--trust")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tpl"]


def test_no_terminal_and_no_answers(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p")
    assert_clean_failure(proc, "--defaults")
    assert list(tmp_path.iterdir()) == []


def _fifo(path):
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda tmp: "/dev/zero", "not a regular file (a character device)"),
        (lambda tmp: _fifo(tmp / "answers.fifo"), "not a regular file (a named pipe)"),
        (lambda tmp: tmp, "not a regular file (a directory)"),
        (
            lambda tmp: (
                (tmp / "big.yml").write_text("project_name: x\n" * 70_000) and tmp / "big.yml"
            ),
            "larger than 1024 KiB",
        ),
        (
            lambda tmp: (
                (tmp / "latin1.yml").write_bytes(b"project_name: caf\xe9\n") and tmp / "latin1.yml"
            ),
            "not UTF-8",
        ),
    ],
    ids=["dev-zero", "fifo", "directory", "two-megabytes", "not-utf8"],
)
def test_data_file_is_bounded_and_regular(run_cli, tmp_path, make, needle):
    source = tmp_path / "in"
    source.mkdir()
    data_file = make(source)
    before = snapshot(tmp_path)
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", data_file, timeout=60)
    assert_clean_failure(proc, "--data-file", needle)
    assert snapshot(tmp_path) == before


def test_destination_is_a_dangling_symlink(run_cli, tmp_path):
    (tmp_path / "dest").symlink_to(tmp_path / "gone")
    proc = run_cli("new", tmp_path / "dest", "--defaults")
    assert_clean_failure(proc, "symbolic link to", "which does not exist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]


def test_destination_is_a_symlink_loop(run_cli, tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    proc = run_cli("new", tmp_path / "a", "--defaults")
    assert_clean_failure(proc, "symbolic link loop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_destination_name_too_long(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / ("d" * 300), "--defaults")
    assert_clean_failure(proc, "300 characters", "at most 255 bytes")
    assert list(tmp_path.iterdir()) == []


def test_unquoted_version_in_a_data_file_gets_a_hint(run_cli, tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("python_version: 3.10\n")
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", answers)
    assert_clean_failure(proc, "python_version", "3.1", "quote it")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml"]


def test_computed_values_cannot_be_overridden(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data", "capability_paths={eval: [/]}")
    assert_clean_failure(proc, "unknown question", "capability_paths")
    assert list(tmp_path.iterdir()) == []
