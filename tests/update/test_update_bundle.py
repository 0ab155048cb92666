"""The template-only bundle: one commit per version, template parts only, reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest
import update_templates as T
from update_helpers import git, make_template

from generator import bundle


def _tags(bundle_path: Path) -> dict[str, str]:
    out = git(bundle_path.parent, "ls-remote", "--tags", "--refs", str(bundle_path))
    pairs = (line.split("\t") for line in out.splitlines())
    return {ref.removeprefix("refs/tags/"): sha for sha, ref in pairs}


def _tree(bundle_path: Path, tag: str, scratch: Path) -> list[str]:
    repo = scratch / f"inspect-{tag}"
    git(scratch, "clone", "--quiet", "--bare", str(bundle_path), str(repo))
    return git(repo, "ls-tree", "-r", "--format=%(objectmode) %(path)", tag).splitlines()


@pytest.fixture
def template(tmp_path: Path) -> Path:
    extra = {
        "NOTES.md": "not part of the template\n",
        "workflows/ci.yml": "name: ci\n",
    }
    return make_template(
        tmp_path / "tpl",
        [("v1.0.0", {**T.V1, **extra}), ("v2.0.0", T.V2), ("not-a-version", {"NOTES.md": "x\n"})],
    )


def test_bundle_holds_each_release_and_only_the_template(template: Path, tmp_path: Path) -> None:
    (template / "template" / "ci.yml").symlink_to("../workflows/ci.yml")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "-m", "symlink")
    git(template, "tag", "v2.1.0")
    git(template, "tag", "v0.9.0", git(template, "rev-parse", "v1.0.0").strip())
    git(template, "rm", "--quiet", "copier.yml")
    git(template, "commit", "--quiet", "-m", "no longer a template")
    git(template, "tag", "v3.0.0")  # no copier.yml: not a template version

    out = tmp_path / "out" / "template.bundle"
    manifest = bundle.build_bundle(bundle.release_tags(template), out, source_root=template)

    assert manifest.versions == ("v0.9.0", "v1.0.0", "v2.0.0", "v2.1.0")
    assert manifest.current == "v2.1.0"
    assert bundle.Manifest.read(bundle.manifest_path(out)) == manifest
    assert sorted(_tags(out)) == list(manifest.versions)
    tree = _tree(out, "v2.1.0", tmp_path)
    assert "100644 template/ci.yml" in tree  # the symlink was dereferenced
    assert all(line.split(" ", 1)[1].split("/")[0] in bundle.TEMPLATE_PARTS for line in tree)
    assert "100644 workflows/ci.yml" in _tree(out, "v1.0.0", tmp_path)


def test_same_content_gives_the_same_commits(template: Path, tmp_path: Path) -> None:
    first = tmp_path / "a.bundle"
    second = tmp_path / "b.bundle"
    bundle.build_bundle(bundle.release_tags(template), first, source_root=template)
    bundle.build_bundle(bundle.release_tags(template), second, source_root=template)
    assert _tags(first) == _tags(second)


def test_working_tree_is_the_current_version(template: Path) -> None:
    planned = bundle.plan_versions(template, "2.0.0")
    assert [v.tag for v in planned] == ["v1.0.0", "v2.0.0"]  # tag equals the working tree
    (template / "template" / "config.toml").write_text("edited after the release\n")
    planned = bundle.plan_versions(template, "2.0.0")
    current = planned[-1]
    assert current.tag.startswith("v2.0.0+dev.") and current.directory == template
    assert bundle.parse_tag(current.tag) > bundle.parse_tag("v2.0.0")  # type: ignore[operator]
    assert [v.tag for v in bundle.plan_versions(template, "2.1.0")][-1] == "v2.1.0"


def test_plain_directory_gives_a_single_version(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    for rel, content in T.V1.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content or "")
    manifest = bundle.build_from_checkout(root, "0.5.0", tmp_path / "t.bundle")
    assert manifest.versions == ("v0.5.0",)
