"""Every git process genaiops starts comes from ``generator/git.py``.

The one exception is ``generator/bundle.py``, loaded by the build hook before genaiops is
installed; Copier's own git calls (through plumbum) are Copier's. Proved twice: no other module
can start a process at all (its source), and a real new / update / add run through the CLI
starts git only from those places (a Python audit hook sees every process as it starts).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from update_helpers import REPO_ROOT, CliResult, commit_all, git

GENERATOR = REPO_ROOT / "generator"
ALLOWED = {"generator.git", "generator.bundle"}
PROCESS_CALLS = {"system", "popen", "posix_spawn", "posix_spawnp", "fork", "forkpty"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)


def _starts_processes(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if "subprocess" in names or module == "subprocess" or module == "pty":
                found.append(f"line {node.lineno}: imports subprocess/pty")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and (
                node.attr in PROCESS_CALLS or node.attr.startswith(("exec", "spawn"))
            ):
                found.append(f"line {node.lineno}: os.{node.attr}")
            if node.value.id == "local" and node.attr == "cmd":
                found.append(f"line {node.lineno}: plumbum local.cmd")
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "local"
        ):
            found.append(f"line {node.lineno}: plumbum local[...]")
    return found


def test_no_module_but_the_git_module_can_start_a_process() -> None:
    offenders = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        if "_data" in path.parts:
            continue
        name = _module_name(path)
        hits = _starts_processes(ast.parse(path.read_text(encoding="utf-8")))
        if hits and name not in ALLOWED:
            offenders[name] = hits
    assert offenders == {}


def test_the_build_hook_exception_is_documented() -> None:
    source = (GENERATOR / "bundle.py").read_text(encoding="utf-8")
    assert "build hook" in source and "generator/git.py" in source


class _GitSpy:
    """Records, for each git process, which module of ours (or Copier) started it."""

    def __init__(self) -> None:
        self.active = False
        self.starts: list[str] = []

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active or event != "subprocess.Popen":
            return
        argv = args[1]
        program = argv[0] if isinstance(argv, list | tuple) and argv else argv
        if Path(str(program)).name != "git":
            return
        self.starts.append(self._starter())

    @staticmethod
    def _starter() -> str:
        frame = sys._getframe(2)
        while frame is not None:
            module = str(frame.f_globals.get("__name__", ""))
            if module.startswith(("copier", "plumbum")):
                return "copier"
            if module.startswith("generator"):
                return module
            frame = frame.f_back  # type: ignore[assignment]
        return "unknown"


_SPY = _GitSpy()
sys.addaudithook(_SPY)  # audit hooks cannot be removed: the spy is switched off between tests


@pytest.fixture
def spied_cli(cli: Callable[..., CliResult]) -> Iterator[tuple[Callable[..., CliResult], _GitSpy]]:
    """The CLI in-process, with the spy on only while genaiops itself runs."""
    _SPY.starts.clear()

    def run(*args: str | Path) -> CliResult:
        _SPY.active = True
        try:
            return cli(*args)
        finally:
            _SPY.active = False

    yield run, _SPY


def test_new_update_and_add_start_git_only_from_the_git_module(
    template_v1_v2: Path,
    tmp_path: Path,
    spied_cli: tuple[Callable[..., CliResult], _GitSpy],
) -> None:
    cli, spy = spied_cli
    project = tmp_path / "proj"
    made = cli("new", project, "--template", template_v1_v2, "--vcs-ref", "v1.0.0", "--defaults")
    assert made.code == 0, made.err
    (project / "README.md").write_text("# demo\n\nreadme line 1\nreadme line 2\nteam 3\n")
    commit_all(project, "team edit")
    updated = cli("update", project, "--to", "v2.0.0", "--defaults", "--pretend")
    assert updated.code == 1, updated  # the README edit conflicts
    updated = cli("update", project, "--to", "v2.0.0", "--defaults")
    assert updated.code == 1, updated
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "--quiet")
    commit_all(other, "empty")
    added = cli("add", "pre-commit", other, "--defaults")
    assert added.code == 0, added
    assert "generator.git" in spy.starts, "the runs started no git of ours: the spy sees nothing"
    assert "copier" in spy.starts
    assert set(spy.starts) <= ALLOWED | {"copier"}, sorted(set(spy.starts))
