"""Everything checked before an update touches the repository.

Each failure is a one-line usage error (exit 2) and nothing has been written yet: not a git
repository, uncommitted changes, no or corrupt answers file, unreachable template, unknown
version, downgrade, unknown ``--data`` key.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import Version

from generator import template_source
from generator.errors import GenaiopsError
from generator.update import answers_file, gitops
from generator.update.answers_file import Answers
from generator.update.bundle import parse_tag


@dataclass(frozen=True)
class SourceOptions:
    """How to reach templates: ``--template-url`` (fetch from), ``--online``, ``--trust``."""

    fetch_from: str | None = None
    online: bool = False
    trust: bool = False


@dataclass(frozen=True)
class Plan:
    """One answers file to bring from ``current`` to ``target``."""

    project: Path
    answers: Answers
    current: str
    target: str
    git_env: Mapping[str, str]
    ours: bool  # our own template: never unsafe, our migrations apply

    @property
    def up_to_date(self) -> bool:
        return self.current == self.target

    @property
    def from_version(self) -> Version:
        return parse_tag(self.current) or Version("0")

    @property
    def to_version(self) -> Version:
        return parse_tag(self.target) or Version("0")


def check_repository(project: Path) -> None:
    if not project.exists():
        raise GenaiopsError(f"{project}: no such directory")
    if not project.is_dir():
        raise GenaiopsError(f"{project}: not a directory")
    if gitops.toplevel(project) is None:
        raise GenaiopsError(
            f"{project}: not a git repository (updates are merged with git, so the "
            "repository must be under git with its work committed)"
        )
    if gitops.head(project) is None:
        raise GenaiopsError(f"{project}: the git repository has no commit yet; commit first")


def check_clean(project: Path) -> None:
    state = gitops.status(project)
    if state.unmerged:
        raise GenaiopsError(
            f"{project}: unresolved conflicts in {', '.join(state.unmerged[:3])}; "
            "resolve them, `git add` and commit first"
        )
    if not state.clean:
        changed = state.all()
        shown = ", ".join(changed[:3]) + (" …" if len(changed) > 3 else "")
        raise GenaiopsError(
            f"{project}: uncommitted changes ({len(changed)} file(s): {shown}); "
            "commit or stash them first, so the update can be reviewed and undone with git"
        )


def plan(project: Path, answers: Answers, to: str | None, options: SourceOptions) -> Plan:
    """Resolve where the template is and which versions the update goes between."""
    url = answers.src_path
    ours = template_source.is_canonical(url) or url == template_source.template_url()
    offline = not options.online
    env = template_source.env_for(url, options.fetch_from, offline=offline)
    tags = template_source.list_tags(_git_url(url, project), env)
    versions = {tag: parsed for tag in tags if (parsed := parse_tag(tag)) is not None}
    shipped = template_source.is_canonical(url) and offline and not options.fetch_from
    if answers.commit not in versions:
        where = "this genaiops ships" if shipped else "the template source has"
        shown = ", ".join(_sorted(versions)[-5:]) or "no versions"
        raise GenaiopsError(
            f"{project / answers.relpath}: the project is at {answers.commit}, which {where} "
            f"not ({shown}); upgrade genaiops, or use --online or --template-url"
        )
    target = _default_target(versions, shipped) if to is None else _match(to, versions)
    if versions[target] < versions[answers.commit]:
        raise GenaiopsError(
            f"{project}: the project is at {answers.commit}; going back to {target} is a "
            "downgrade, which Copier cannot do"
        )
    return Plan(project, answers, answers.commit, target, env, ours)


def _git_url(url: str, project: Path) -> str:
    """The URL as git should see it; a relative path is relative to the project, not cwd."""
    if template_source.is_remote(url) or Path(url).is_absolute():
        return url
    return (project / url).resolve().as_posix()


def _sorted(versions: Mapping[str, Version]) -> list[str]:
    return sorted(versions, key=lambda t: versions[t])


def _default_target(versions: Mapping[str, Version], shipped: bool) -> str:
    if shipped:
        current = template_source.shipped_bundle().current
        if current in versions:
            return current
    releases = [t for t in versions if not versions[t].is_prerelease]
    return _sorted({t: versions[t] for t in (releases or list(versions))})[-1]


def _match(requested: str, versions: Mapping[str, Version]) -> str:
    if requested in versions:
        return requested
    wanted = parse_tag(requested.strip())
    matches = [t for t, v in versions.items() if wanted is not None and v == wanted]
    if not matches:
        shown = ", ".join(_sorted(versions)[-5:]) or "none"
        raise GenaiopsError(f"unknown template version {requested!r} (available: {shown})")
    return matches[0]


def check_data(plan_: Plan, data: Mapping[str, Any]) -> None:
    """``--data`` keys must be questions of the target version (Copier ignores typos)."""
    if not data:
        return
    from generator.answers import check_choices, check_known_keys

    questions = target_questions(plan_)
    check_known_keys(data, questions)
    check_choices(data, questions)


def check_unattended(plan_: Plan, data: Mapping[str, Any]) -> None:
    """Without a terminal, new questions need --defaults or --data: say so before starting.

    (Copier would find out only after rendering the old version, and its prompt library can
    wait seconds on a closed stdin first.) Questions with a ``when`` may never be asked, so
    they are left to Copier.
    """
    questions = target_questions(plan_)
    missing = sorted(
        name
        for name, spec in questions.items()
        if name not in plan_.answers.data
        and name not in data
        and not (isinstance(spec, dict) and "when" in spec)
    )
    if missing:
        raise GenaiopsError(
            f"{plan_.target} asks new question(s) {', '.join(missing)} and there is no "
            "terminal to ask them: answer with --defaults or --data KEY=VALUE"
        )


def target_questions(plan_: Plan) -> dict[str, Any]:
    """The questions of ``copier.yml`` at the target version, fetched into a scratch repo."""
    from generator.questions import load_questions

    url = _git_url(plan_.answers.src_path, plan_.project)
    env = {**_os_environ(), **plan_.git_env}
    with tempfile.TemporaryDirectory(prefix="genaiops-target-") as tmp:
        scratch = Path(tmp)
        ref = f"refs/tags/{plan_.target}"
        steps = [
            ["git", "init", "--quiet", "--bare", "repo.git"],
            ["git", "--git-dir=repo.git", "fetch", "--quiet", "--no-tags", url, f"+{ref}:{ref}"],
        ]
        for step in steps:
            proc = subprocess.run(step, cwd=scratch, capture_output=True, env=env, check=False)
            if proc.returncode != 0:
                detail = proc.stderr.decode(errors="replace").strip().splitlines()
                raise GenaiopsError(
                    f"cannot read {plan_.target} of {plan_.answers.src_path}: "
                    f"{detail[-1] if detail else 'git failed'}"
                )
        (scratch / "tpl").mkdir()
        for name in ("copier.yml", "copier.yaml"):
            shown = subprocess.run(
                ["git", "--git-dir=repo.git", "show", f"{ref}:{name}"],
                cwd=scratch,
                capture_output=True,
                env=env,
                check=False,
            )
            if shown.returncode == 0:
                (scratch / "tpl" / name).write_bytes(shown.stdout)
                break
        return load_questions(scratch / "tpl")


def _os_environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def load_all(project: Path) -> list[Answers]:
    names = answers_file.find(project)
    if not names:
        answers_file.load(project, answers_file.MAIN)  # raises the "no answers file" error
    return [answers_file.load(project, name) for name in names]
