"""``genaiops new`` is all or nothing: a signal or a failing git step at any moment leaves
nothing behind, with a message; a run that finishes leaves a whole, committed repository.

A ``git`` shim on PATH logs every git call (Copier's and ours) and can hold one subcommand for
a few seconds, so a signal is sent exactly while that step runs. The disk-full case is the
shim failing ``git add`` with git's own ENOSPC message (a real full disk cannot be made here
without a privileged mount).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REAL_GIT = shutil.which("git")
SHIM = """#!/bin/sh
sub=""
for arg in "$@"; do
  case "$arg" in -c) skip=1; continue;; esac
  if [ -n "$skip" ]; then skip=""; continue; fi
  case "$arg" in -*) continue;; esac
  sub="$arg"; break
done
echo "$sub" >> "$GIT_SHIM_LOG"
if [ "$sub:$(grep -cx "$sub" "$GIT_SHIM_LOG")" = "$GIT_SHIM_HOLD" ]; then sleep 4; fi
if [ "$sub" = "$GIT_SHIM_FAIL" ]; then
  echo "error: unable to write new index file: No space left on device" >&2
  echo "fatal: adding files failed" >&2
  exit 128
fi
exec {git} "$@"
"""


@pytest.fixture
def shim(tmp_path: Path, cli_env: dict[str, str]) -> dict[str, str]:
    assert REAL_GIT is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "git"
    script.write_text(SHIM.format(git=REAL_GIT))
    script.chmod(0o755)
    return {
        **cli_env,
        "PATH": f"{bin_dir}{os.pathsep}{cli_env['PATH']}",
        "GIT_SHIM_LOG": str(tmp_path / "git.log"),
        "GIT_SHIM_HOLD": "",
        "GIT_SHIM_FAIL": "",
    }


def _start(dest: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "new", str(dest), "--defaults"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: killpg reaches it and its git only
    )


def _wait_for_step(log: Path, step: str, proc: subprocess.Popen[str], occurrence: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.is_file() and log.read_text().split().count(step) >= occurrence:
            time.sleep(0.3)  # inside the step (the shim holds it for 4 s)
            return
        if proc.poll() is not None:
            pytest.fail(f"new ended before git {step}: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.05)
    pytest.fail(f"git {step} never ran")


def _leftovers(parent: Path, dest: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name == dest.name or "genaiops" in p.name)


def _assert_nothing_left(
    proc: subprocess.Popen[str], parent: Path, dest: Path, sig: signal.Signals
) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, (proc.returncode, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"error: cancelled by {sig.name}; nothing was written"], err
    assert _leftovers(parent, dest) == []


@pytest.mark.parametrize(
    ("step", "occurrence", "sig", "group"),
    [
        ("config", 60, signal.SIGINT, False),  # Copier rendering the files
        ("init", 1, signal.SIGTERM, False),  # our git init in the staging directory
        ("add", 1, signal.SIGINT, True),  # Ctrl-C in a terminal: git gets it too
        ("commit", 1, signal.SIGTERM, False),  # the first commit
    ],
)
def test_a_signal_during_any_step_leaves_nothing(
    tmp_path: Path,
    shim: dict[str, str],
    step: str,
    occurrence: int,
    sig: signal.Signals,
    group: bool,
) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    dest = parent / "demo"
    env = {**shim, "GIT_SHIM_HOLD": f"{step}:{occurrence}"}
    proc = _start(dest, env)
    _wait_for_step(Path(env["GIT_SHIM_LOG"]), step, proc, occurrence)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _assert_nothing_left(proc, parent, dest, sig)


def test_signals_at_timed_moments_leave_all_or_nothing(
    tmp_path: Path, shim: dict[str, str]
) -> None:
    """Whatever the moment: exit 0 with a whole committed repository, or nothing at all."""
    outcomes = []
    for index, delay in enumerate((1.0, 3.0, 6.0, 9.0)):
        parent = tmp_path / f"run{index}"
        parent.mkdir()
        dest = parent / "demo"
        proc = _start(dest, shim)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        if proc.returncode == 0:
            log = subprocess.run(
                [REAL_GIT or "git", "-C", str(dest), "status", "--porcelain"],
                capture_output=True,
                text=True,
                check=True,
            )
            assert log.stdout == ""
            assert (dest / ".copier-answers.yml").is_file()
            assert _leftovers(parent, dest) == ["demo"]
        else:
            assert proc.returncode == 130, (out, err)
            # inside new's work the message says nothing was written; before it (typer still
            # parsing on a loaded machine) the CLI says only that it was cancelled
            assert "error: cancelled by SIGINT" in err
            assert _leftovers(parent, dest) == []
        outcomes.append(proc.returncode)
    assert 130 in outcomes  # at least one signal landed while new was working


def test_a_disk_full_git_step_leaves_nothing(tmp_path: Path, shim: dict[str, str]) -> None:
    parent = tmp_path / "work"
    parent.mkdir()
    dest = parent / "demo"
    proc = _start(dest, {**shim, "GIT_SHIM_FAIL": "add"})
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, (out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "cannot make the first git commit" in lines[0]
    assert "adding files failed" in lines[0] or "No space left" in lines[0]
    assert "nothing was written" in lines[0]
    assert _leftovers(parent, dest) == []


def test_force_commits_only_the_generated_files(run_cli, tmp_path: Path) -> None:
    dest = tmp_path / "existing"
    (dest / "notes").mkdir(parents=True)
    (dest / "notes" / "todo.txt").write_text("keep me\n")
    (dest / "LICENSE").write_text("my licence\n")
    proc = run_cli("new", dest, "--defaults", "--force")
    assert proc.returncode == 0, proc.stderr
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "README.md" in tracked and ".copier-answers.yml" in tracked
    assert "LICENSE" not in tracked and "notes/todo.txt" not in tracked
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert sorted(status) == ["?? LICENSE", "?? notes/"]
    assert (dest / "LICENSE").read_text() == "my licence\n"
    assert "your own files are not in that commit: LICENSE, notes" in proc.stdout


def test_ctrl_c_outside_the_work_is_reported_not_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """typer turns a KeyboardInterrupt into a bare exit 130; the CLI still says what happened."""
    import generator.create
    from generator.cli import main

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(generator.create, "create", interrupted)
    with pytest.raises(SystemExit) as stopped:
        main(["new", str(tmp_path / "demo"), "--defaults"])
    assert stopped.value.code == 130
    assert capsys.readouterr().err.strip() == "error: cancelled by SIGINT"
    assert list(tmp_path.iterdir()) == []
