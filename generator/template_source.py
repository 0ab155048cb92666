"""Resolve which template Copier renders: the shipped one, or one the user names.

The shipped template has one identity everywhere: the canonical git URL (``CANONICAL_URL``,
overridable with ``GENAIOPS_TEMPLATE_URL`` or ``--template-url``) at the release tag
``v<version>``. That is what generated projects record in ``.copier-answers.yml``, so a plain
``copier update`` works online on any machine. Offline, git is told to fetch that URL from a
template-only bundle instead (``url.<bundle>.insteadOf``, passed as ``GIT_CONFIG_*`` variables):
an installed package ships the bundle; a source checkout builds one on the fly from its working
tree and release tags, cached by content hash, so uncommitted template edits are rendered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__, git, resources
from generator.errors import GenaiopsError
from generator.questions import find_config

CANONICAL_URL = "https://github.com/genaiops/genaiops.git"
URL_ENV = "GENAIOPS_TEMPLATE_URL"
BUNDLE_ENV = "GENAIOPS_TEMPLATE_BUNDLE"
CACHE_ENV = "GENAIOPS_CACHE_DIR"
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|git@|gh:|gl:)", re.IGNORECASE)
_KEEP_CACHED_BUNDLES = 4


@dataclass(frozen=True)
class SourceOptions:
    """How ``update`` and ``add`` reach templates: ``--template-url``, ``--online``, ``--trust``."""

    fetch_from: str | None = None
    online: bool = False
    trust: bool = False

    def check(self) -> None:
        """A local ``--template-url`` must exist (git would say so in three cut-off lines)."""
        where = self.fetch_from
        if where and not is_remote(where) and not Path(where).expanduser().exists():
            raise GenaiopsError(
                f"cannot reach template {where} (--template-url): no such file or directory"
            )


@dataclass(frozen=True)
class TemplateSource:
    """What to hand Copier, and whether its code (tasks, extensions) may run.

    ``git_env`` holds the environment git needs to reach ``src`` (the bundle redirection);
    the render helpers apply it around every Copier call.
    """

    src: str
    vcs_ref: str | None
    local_dir: Path | None
    shipped: bool
    git_env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ShippedBundle:
    """The template-only bundle available on this machine and the versions it holds."""

    path: Path
    current: str
    versions: tuple[str, ...]


def is_remote(src: str) -> bool:
    return bool(_REMOTE.match(src))


def _absolute_if_local(src: str) -> str:
    if is_remote(src):
        return src
    return Path(src).expanduser().resolve().as_posix()


def template_url(override: str | None = None) -> str:
    """The template identity: the option, else ``$GENAIOPS_TEMPLATE_URL``, else canonical."""
    chosen = override or os.environ.get(URL_ENV) or CANONICAL_URL
    return _absolute_if_local(chosen.strip())


def normalize_url(url: str) -> str:
    """Compare URLs the way Copier resolves them (``gh:`` alias, optional ``.git``, trailing /)."""
    text = url.strip()
    if text.startswith("gh:"):
        text = "https://github.com/" + text[3:].lstrip("/")
    text = text.rstrip("/")
    if text.endswith(".git"):
        text = text[:-4]
    return text.lower() if text.startswith("https://github.com/") else text


def is_canonical(url: str) -> bool:
    return normalize_url(url) == normalize_url(CANONICAL_URL)


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "genaiops"


def shipped_bundle() -> ShippedBundle:
    """The bundle to redirect the canonical URL to.

    ``$GENAIOPS_TEMPLATE_BUNDLE`` wins (air-gapped mirrors, tests); then the bundle inside an
    installed package; otherwise one is built from the template root and cached.
    """
    from generator import bundle as builder

    override = os.environ.get(BUNDLE_ENV)
    if override:
        path = Path(override).expanduser().resolve()
        if not path.is_file():
            raise GenaiopsError(f"{BUNDLE_ENV}={override}: no such bundle file")
        return _describe(path)
    installed = resources.PACKAGE_DIR / "_data" / "template.bundle"
    if installed.is_file():
        return _describe(installed)
    root = resources.template_root()
    key = builder.tree_digest(root, extra=git.tag_objects(root) + "\0" + __version__)
    target = cache_dir() / "bundles" / f"{key[:24]}.bundle"
    if not (target.is_file() and builder.manifest_path(target).is_file()):
        try:
            builder.build_from_checkout(root, __version__, target)
        except (builder.BundleError, OSError) as exc:
            raise GenaiopsError(
                f"cannot build the template bundle in {target.parent}: {exc}", exit_code=1
            ) from None
        _prune(target.parent, keep=target)
    return _describe(target)


def _describe(path: Path) -> ShippedBundle:
    from generator import bundle as builder

    manifest_file = builder.manifest_path(path)
    if manifest_file.is_file():
        try:
            manifest = builder.Manifest.read(manifest_file)
            return ShippedBundle(path, manifest.current, manifest.versions)
        except (OSError, ValueError, KeyError):
            pass
    from generator import template_versions

    found = template_versions.ordered(template_versions.available(path.as_posix(), {}))
    if not found:
        raise GenaiopsError(f"template bundle {path} holds no version tags")
    return ShippedBundle(path, found[-1], tuple(found))


def _prune(directory: Path, keep: Path) -> None:
    bundles = sorted(directory.glob("*.bundle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in bundles[_KEEP_CACHED_BUNDLES:]:
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def redirect_pairs(url: str, fetch_from: str) -> list[tuple[str, str]]:
    """``insteadOf`` entries that make git fetch ``url`` (as Copier spells it) from elsewhere."""
    target = _absolute_if_local(fetch_from)
    spellings = dict.fromkeys([url, _git_spelling(url)])
    return [(f"url.{target}.insteadOf", spelling) for spelling in spellings]


def config_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``GIT_CONFIG_*`` variables for ``pairs``, numbered after those already set."""
    try:
        start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
    except ValueError:
        start = 0
    env: dict[str, str] = {}
    for offset, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{start + offset}"] = key
        env[f"GIT_CONFIG_VALUE_{start + offset}"] = value
    if pairs:
        env["GIT_CONFIG_COUNT"] = str(start + len(pairs))
    return env


def base_env() -> dict[str, str]:
    """Always: git never prompts, and Copier's mirror cache is ours, not the user's."""
    return {**git.NO_PROMPT, "COPIER_CACHE_DIR": str(cache_dir() / "copier")}


def env_for(url: str, fetch_from: str | None = None, *, offline: bool = True) -> dict[str, str]:
    """The git environment to reach the template recorded as ``url``.

    The canonical URL goes to the shipped bundle (offline guaranteed: only the ``file``
    protocol is allowed) unless ``offline`` is False. ``fetch_from`` redirects any URL
    elsewhere (a mirror, a local clone).
    """
    env = base_env()
    target = fetch_from
    if target is None and offline and is_canonical(url):
        target = shipped_bundle().path.as_posix()
        env["GIT_ALLOW_PROTOCOL"] = "file"
    if target is not None and normalize_url(target) != normalize_url(url):
        env.update(config_env(redirect_pairs(url, target)))
    return env


def _git_spelling(url: str) -> str:
    """How Copier hands ``url`` to git (``gh:`` expanded, ``.git`` appended for https)."""
    text = url
    if text.startswith("gh:"):
        text = "https://github.com/" + text[3:].lstrip("/")
    if text.startswith("https://") and not text.endswith(".git"):
        text += ".git"
    return text


def current_ref() -> str:
    """The template version this genaiops renders by default: the bundle's newest version."""
    try:
        return shipped_bundle().current
    except GenaiopsError:
        return f"v{__version__}"


@contextmanager
def open_source(template: str | None, vcs_ref: str | None) -> Iterator[TemplateSource]:
    """Yield a source ready for Copier."""
    if template is None:
        yield _shipped_source(vcs_ref)
        return
    if is_remote(template):
        yield TemplateSource(
            src=template, vcs_ref=vcs_ref, local_dir=None, shipped=False, git_env=base_env()
        )
        return
    path = Path(template).expanduser()
    if not path.exists():
        raise GenaiopsError(f"template {template}: no such file or directory")
    if path.is_dir() and find_config(path) is None:
        raise GenaiopsError(f"template {template}: not a Copier template (no copier.yml)")
    yield TemplateSource(
        src=path.resolve().as_posix(),
        vcs_ref=vcs_ref,
        local_dir=path.resolve() if path.is_dir() else None,
        shipped=False,
        git_env=base_env(),
    )


def _shipped_source(vcs_ref: str | None) -> TemplateSource:
    url = template_url()
    env = env_for(url)
    if is_canonical(url):
        ref = vcs_ref or shipped_bundle().current
        local: Path | None = resources.template_root()
    else:
        ref = vcs_ref or f"v{__version__}"
        local = Path(url) if Path(url).is_dir() and find_config(Path(url)) else None
    return TemplateSource(src=url, vcs_ref=ref, local_dir=local, shipped=True, git_env=env)
