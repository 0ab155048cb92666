"""On our real template history: an untouched project updated from the previous version to
the current one is exactly a fresh `new` of the current one.

This catches a release that would give every untouched user project spurious conflicts or
leftovers. The previous version is the newest release tag below the current version, or, before
the first release, the first commit that had a template.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from update_helpers import REPO_ROOT, CliResult, snapshot

from generator import __version__, bundle


def _previous_version() -> bundle.VersionSource:
    current = bundle.parse_tag(__version__)
    releases = [
        tag
        for tag in bundle.release_tags(REPO_ROOT)
        if (parsed := bundle.parse_tag(tag.tag)) is not None
        and current is not None
        and parsed < current
    ]
    if releases:
        return max(releases, key=lambda t: bundle.parse_tag(t.tag))  # type: ignore[arg-type, return-value]
    first = subprocess.run(
        ["git", "rev-list", "--reverse", "HEAD", "--", "copier.yml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not first:
        pytest.skip("no committed template in this checkout's history")
    return bundle.VersionSource(tag="v0.0.1", commit=first[0])


@pytest.mark.skipif(not (REPO_ROOT / ".git").exists(), reason="needs the git history")
def test_update_from_previous_equals_fresh_new(
    tmp_path: Path, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = _previous_version()
    current = bundle.plan_versions(REPO_ROOT, __version__)[-1]
    out = tmp_path / "history.bundle"
    bundle.build_bundle([previous, current], out, source_root=REPO_ROOT)
    monkeypatch.setenv("GENAIOPS_TEMPLATE_BUNDLE", str(out))

    old = tmp_path / "old"
    made = cli("new", old, "--vcs-ref", previous.tag, "--defaults")
    assert made.code == 0, made.err
    updated = cli("update", old, "--defaults")
    assert updated.code == 0, updated.out + updated.err
    assert f"went from {previous.tag} to {current.tag}" in updated.out

    fresh = tmp_path / "fresh"
    assert cli("new", fresh, "--defaults").code == 0
    old_files, _, _ = snapshot(old)
    fresh_files, _, _ = snapshot(fresh)
    assert sorted(old_files) == sorted(fresh_files)
    for rel, content in fresh_files.items():
        assert old_files[rel] == content, rel
