"""`new` and `update` from the shipped bundle, with the network cut off.

The CLI runs as a subprocess in its own network namespace (``unshare -n``) when the machine
allows it; git is restricted to the ``file`` protocol in any case, so https is refused.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from update_helpers import commit_all, git

from generator import __version__, bundle
from generator.template_source import CANONICAL_URL


@functools.cache
def _isolation() -> tuple[str, ...]:
    """A command prefix that runs without network, if this machine allows one."""
    for prefix in (("unshare", "-rn"), ("unshare", "-n")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
                return prefix
        except FileNotFoundError:
            break
    return ()


def offline(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "GIT_ALLOW_PROTOCOL": "file", **(env or {})}
    return subprocess.run(
        [*_isolation(), sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def release_bundle(template_v1_v2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a wheel of a template with releases v1.0.0 and v2.0.0 would ship."""
    out = tmp_path_factory.mktemp("release") / "template.bundle"
    bundle.build_bundle(bundle.release_tags(template_v1_v2), out, source_root=template_v1_v2)
    return out


def test_new_and_update_offline_from_the_bundle(release_bundle: Path, tmp_path: Path) -> None:
    env = {"GENAIOPS_TEMPLATE_BUNDLE": str(release_bundle)}
    made = offline(["new", "proj", "--vcs-ref", "v1.0.0", "--defaults"], tmp_path, env)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "proj"
    answers = (project / ".copier-answers.yml").read_text()
    # portable: the canonical URL and a release tag, no path of this machine
    assert f"_src_path: {CANONICAL_URL}\n" in answers
    assert "_commit: v1.0.0\n" in answers
    assert str(tmp_path) not in answers and str(release_bundle) not in answers

    config = project / "config.toml"
    config.write_text(config.read_text().replace("config line 8\n", "config line 8 = team\n"))
    commit_all(project, "team edit")
    updated = offline(["update", "--defaults"], project, env)  # default target: newest shipped
    assert updated.returncode == 0, updated.stderr
    assert "went from v1.0.0 to v2.0.0" in updated.stdout
    text = config.read_text()
    assert "config line 8 = team\n" in text and "config line 2 = v2\n" in text
    assert f"_src_path: {CANONICAL_URL}\n" in (project / ".copier-answers.yml").read_text()


def test_online_is_refused_without_network(release_bundle: Path, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    git(project, "init", "--quiet")
    (project / ".copier-answers.yml").write_text(
        f"_commit: v1.0.0\n_src_path: {CANONICAL_URL}\nproject_name: demo\n"
    )
    commit_all(project, "generated")
    env = {"GENAIOPS_TEMPLATE_BUNDLE": str(release_bundle)}
    result = offline(["update", "--online"], project, env)
    assert result.returncode == 2
    assert "cannot reach template https://github.com/genaiops/genaiops.git" in result.stderr


def test_shipped_template_offline(tmp_path: Path) -> None:
    """The real template of this checkout, bundled on the fly, renders with https blocked."""
    made = offline(["new", "proj", "--defaults"], tmp_path)
    assert made.returncode == 0, made.stderr
    answers = (tmp_path / "proj" / ".copier-answers.yml").read_text()
    assert f"_src_path: {CANONICAL_URL}\n" in answers
    assert f"_commit: v{__version__}" in answers
    again = offline(["update"], tmp_path / "proj")
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
