"""The command line itself: help, version, verbs, exit codes, lazy imports."""

from __future__ import annotations

import subprocess
import sys

from generator import __version__


def test_version_prints_the_package_version(run_cli):
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"genaiops {__version__}"


def test_help_lists_every_verb(run_cli):
    proc = run_cli("--help")
    assert proc.returncode == 0
    for verb in ("new", "assess", "update", "add"):
        assert f"\n  {verb}" in proc.stdout


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('copier', 'semantic_kernel', 'plumbum', 'jinja2', 'ruamel') "
        "if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY="


def test_unknown_verb_is_a_usage_error(run_cli):
    proc = run_cli("frobnicate")
    assert proc.returncode == 2
    assert "No such command" in proc.stderr


def test_new_without_destination_is_a_usage_error(run_cli):
    proc = run_cli("new")
    assert proc.returncode == 2
    assert "DEST" in proc.stderr


def test_unknown_format_is_a_usage_error(run_cli, tmp_path):
    proc = run_cli("new", tmp_path / "x", "--defaults", "--format", "yaml")
    assert proc.returncode == 2
    assert "--format" in proc.stderr
    assert not (tmp_path / "x").exists()
