"""Which template versions a source has, and which one a requested name means.

A version is a release tag that parses as PEP 440 (``v1.2.0``; see ``bundle.parse_tag``).
``update`` and ``add`` resolve ``--to`` / ``--vcs-ref`` here, with one error text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.version import Version

from generator import git
from generator.bundle import parse_tag
from generator.errors import GenaiopsError

__all__ = ["available", "newest_release", "ordered", "parse_tag", "resolve"]


def available(url: str, env: Mapping[str, str], shown: str | None = None) -> dict[str, Version]:
    """The source's tags that are versions, tag name -> version (``shown`` names it in errors)."""
    return versions(git.remote_tags(url, env, shown=shown))


def versions(tags: Iterable[str]) -> dict[str, Version]:
    return {tag: parsed for tag in tags if (parsed := parse_tag(tag)) is not None}


def ordered(found: Mapping[str, Version]) -> list[str]:
    """Tag names, oldest first."""
    return sorted(found, key=lambda t: found[t])


def newest_release(found: Mapping[str, Version]) -> str:
    """The newest version that is not a pre-release (the newest of all if there is none)."""
    releases = {t: v for t, v in found.items() if not v.is_prerelease}
    return ordered(releases or dict(found))[-1]


def resolve(requested: str, found: Mapping[str, Version]) -> str:
    """The tag ``requested`` names: the tag itself, or one with the same version (1.0 = v1.0.0)."""
    if requested in found:
        return requested
    wanted = parse_tag(requested.strip())
    for tag, version in found.items():
        if wanted is not None and version == wanted:
            return tag
    shown = ", ".join(ordered(found)[-5:]) or "none"
    raise GenaiopsError(f"unknown template version {requested!r} (available: {shown})")
