"""Everything checked before an update touches the repository.

Each failure is a one-line usage error (exit 2) and nothing has been written yet: not a git
repository, uncommitted changes, no or corrupt answers file, unreachable template, unknown
version, downgrade, unknown ``--data`` key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import Version

from generator import git, template_source, template_versions
from generator.errors import GenaiopsError
from generator.template_source import SourceOptions
from generator.template_versions import parse_tag
from generator.update import answers_file
from generator.update.answers_file import Answers


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
    from generator.inputs import check_directory

    check_directory(project)
    if git.toplevel(project) is None:
        raise GenaiopsError(
            f"{project}: not a git repository (updates are merged with git, so the "
            "repository must be under git with its work committed)"
        )
    if git.head(project) is None:
        raise GenaiopsError(f"{project}: the git repository has no commit yet; commit first")
    if git.branch(project) is None:
        short = (git.head(project) or "")[:10]
        raise GenaiopsError(
            f"{project}: HEAD is detached at {short}, so the update would land on no branch; "
            "`git switch -` goes back to the branch you were on, "
            "`git switch -c NAME` makes one here"
        )


def check_clean(project: Path) -> None:
    state = git.status(project)
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
    options.check()
    env = template_source.env_for(url, options.fetch_from, offline=offline)
    versions = template_versions.available(_git_url(url, project), env, options.fetch_from)
    shipped = template_source.is_canonical(url) and offline and not options.fetch_from
    if answers.commit not in versions:
        where = "this genaiops ships" if shipped else "the template source has"
        shown = ", ".join(template_versions.ordered(versions)[-5:]) or "no versions"
        raise GenaiopsError(
            f"{project / answers.relpath}: the project is at {answers.commit}, which {where} "
            f"not ({shown}); upgrade genaiops, or use --online or --template-url"
        )
    if to is None:
        target = _default_target(versions, shipped)
    else:
        target = template_versions.resolve(to, versions)
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


def _default_target(versions: Mapping[str, Version], shipped: bool) -> str:
    if shipped:
        current = template_source.shipped_bundle().current
        if current in versions:
            return current
    return template_versions.newest_release(versions)


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
    from generator.questions import CONFIG_NAMES, parse_questions

    url = _git_url(plan_.answers.src_path, plan_.project)
    config = git.file_at_tag(url, plan_.target, CONFIG_NAMES, plan_.git_env)
    if config is None:
        return {}
    where = f"copier.yml of {plan_.target}"
    return parse_questions(config.decode("utf-8", errors="replace"), where)


def load_all(project: Path) -> list[Answers]:
    names = answers_file.find(project)
    if not names:
        answers_file.load(project, answers_file.MAIN)  # raises the "no answers file" error
    return [answers_file.load(project, name) for name in names]
