"""``genaiops add CAPABILITY``: one capability of the template, into any repository.

A capability is the part of the template that carries one practice (CI checks, IaC,
evaluation, pre-commit): ``copier.yml`` maps each to its paths (``capability_paths``) and
excludes everything else when its ``capability`` question names one.

The repository is read first (``generator.add``: the assess inventory) and the capability's
planner decides what fits: what is added, what the repository has and is reused, what is
skipped and why, or that the capability does not fit at all (nothing is written then). What it
adapts to is passed to Copier as the recorded ``adapt`` answer. Copier renders into a scratch
directory; genaiops then brings each file in: new files are added, identical ones left alone,
and a file the repository already has with other content is never overwritten: it becomes a
conflict (markers + unmerged in git, or a ``.rej`` patch). Last come the plan's own edits: one
``include mk/*.mk`` line in the Makefile (or a small Makefile), a dataset skeleton. The
capability's answers file, ``.copier-answers.<capability>.yml``, lets ``genaiops update`` keep
it current.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator import git, resources, template_source, template_versions
from generator.add.plan import Plan
from generator.errors import GenaiopsError
from generator.inputs import check_directory
from generator.template_source import SourceOptions, TemplateSource
from generator.update import answers_file, merge, preflight
from generator.update.summary import UpdateResult

APP = "app"
QUESTION = "capability"  # the copier.yml question naming what to apply (APP: everything)
PATHS_QUESTION = "capability_paths"
ADAPT = "adapt"  # the answer genaiops add computes from the repository
# copier.yml's `ci` answer -> the capability a generated repository then lacks
LEFT_OUT_BY_CI = {"github": "pipelines", "azure_devops": "workflows"}


class AddRefused(GenaiopsError):
    """The capability does not fit the repository; the plan says why. Nothing was written."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(f"genaiops add {plan.capability}: {plan.refusal}")
        self.plan = plan


@dataclass
class AddOptions:
    data: dict[str, Any] = field(default_factory=dict)
    defaults: bool = False
    conflict: Literal["inline", "rej"] = "inline"
    pretend: bool = False
    version: str | None = None
    source: SourceOptions = field(default_factory=SourceOptions)


def capability_paths(template_dir: Path | None = None) -> dict[str, list[str]]:
    """Capability -> its template paths: the ``capability_paths`` map of ``copier.yml``."""
    from generator.questions import load_questions

    spec = load_questions(template_dir or resources.template_root()).get(PATHS_QUESTION, {})
    mapping = spec.get("default", {}) if isinstance(spec, dict) else {}
    if not isinstance(mapping, dict):
        return {}
    return {str(name): [str(p) for p in paths or []] for name, paths in mapping.items()}


def add_capability(
    capability: str, project: Path, options: AddOptions
) -> tuple[UpdateResult, Plan]:
    """Plan, render and bring in one capability; raises :class:`AddRefused` when it does not
    fit (the plan says why)."""
    check_directory(project.expanduser())  # before resolve(): a link loop is named as one
    project = project.expanduser().resolve()
    url = template_source.template_url()
    known_dir = (
        resources.template_root()
        if template_source.is_canonical(url)
        else (Path(url) if Path(url).is_dir() else None)
    )
    offered = list(capability_paths(known_dir))
    if capability not in offered:
        raise GenaiopsError(
            f"unknown capability {capability!r} (choose from: {', '.join(offered)})"
        )
    preflight.check_repository(project)
    preflight.check_clean(project)
    relpath = answers_file.capability_file(capability)
    _refuse_existing(project, relpath, capability, capability_paths(known_dir)[capability])
    if ADAPT in options.data:
        raise GenaiopsError(
            f"{ADAPT} is what genaiops add computes from the repository; it cannot be given"
        )
    if options.data and known_dir is not None:
        from generator.answers import check_choices, check_known_keys
        from generator.questions import load_questions

        questions = load_questions(known_dir)
        check_known_keys(options.data, questions)
        check_choices(options.data, questions)
    options.source.check()
    env = template_source.env_for(url, options.source.fetch_from, offline=not options.source.online)
    ref = options.version or (
        template_source.current_ref() if template_source.is_canonical(url) else None
    )
    if ref is not None and options.version is not None:
        found = template_versions.available(url, env, options.source.fetch_from)
        ref = template_versions.resolve(ref, found)
    source = TemplateSource(src=url, vcs_ref=ref, local_dir=known_dir, shipped=True, git_env=env)
    from generator.add import makefile, planners
    from generator.add.repo import RepoView

    view = RepoView.read(project)
    plan = planners.plan_for(capability, view, dict(options.data))
    if plan.refusal:
        raise AddRefused(plan)
    with tempfile.TemporaryDirectory(prefix="genaiops-add-") as tmp:
        rendered = Path(tmp) / "capability"
        from generator import scaffold

        scaffold.render(
            source,
            rendered,
            {**plan.answers, **options.data, QUESTION: capability},
            defaults=options.defaults,
            trust=False,
            answers_file=relpath,
            user_defaults={**_guessed_defaults(project), **plan.defaults},
            answer_with=scaffold.UPDATE_ANSWERS,
        )
        files = sorted(
            p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file()
        )
        payload = [f for f in files if f != relpath]
        if not payload:
            raise GenaiopsError(f"the template has no files for capability {capability!r} yet")
        recorded = answers_file.load(rendered, relpath)
        version = recorded.commit
        planners.finish(capability, view, plan, recorded.data, payload)
        clashes = [p for p in plan.writes if (project / p).exists() or p in payload]
        if clashes:
            raise GenaiopsError(f"{project}: {clashes[0]} exists; choose another path for it")
        result = UpdateResult(
            project,
            relpath,
            version,
            version,
            "added",
            message=f"{'would add' if options.pretend else 'added'} "
            f"capability {capability} ({version})",
            pretend=options.pretend,
        )
        orig = git.head(project)
        assert orig is not None
        try:
            for rel in payload:
                _bring_in(rendered / rel, project, rel, options, result)
            for rel in plan.writes:
                result.added.append(rel)
            if plan.makefile is not None:
                (result.added if plan.makefile.create else result.updated).append(
                    plan.makefile.path
                )
            if not options.pretend:
                shutil.copy2(rendered / relpath, project / relpath)
                for rel, text in plan.writes.items():
                    (project / rel).parent.mkdir(parents=True, exist_ok=True)
                    (project / rel).write_text(text, encoding="utf-8")
                if plan.makefile is not None:
                    makefile.apply(project, plan.makefile)
        except BaseException:
            if not options.pretend:
                git.restore(project, orig)
            raise
    return result, plan


def _refuse_existing(project: Path, relpath: str, capability: str, paths: list[str]) -> None:
    if (project / relpath).exists():
        raise GenaiopsError(
            f"{project}: capability {capability} is already applied ({relpath}); "
            "use `genaiops update` to bring it to a newer version"
        )
    main = project / answers_file.MAIN
    if main.is_file():
        try:
            existing = answers_file.load(project, answers_file.MAIN)
        except GenaiopsError:
            return
        ours = template_source.is_canonical(existing.src_path) or (
            existing.src_path == template_source.template_url()
        )
        # a generated repository has every capability but the delivery system its `ci`
        # answer left out (ci: github has no Azure Pipelines, which `add pipelines` can then
        # bring); the adapted paths of `add workflows` are never in it, so they say nothing
        left_out = LEFT_OUT_BY_CI.get(str(existing.data.get("ci", "github")))
        present = any((project / p.strip("/")).exists() for p in paths)
        if ours and existing.data.get(QUESTION, APP) == APP and (capability != left_out or present):
            raise GenaiopsError(
                f"{project} was generated by genaiops and already has every capability; "
                "use `genaiops update` to bring it to a newer version"
            )


def _guessed_defaults(project: Path) -> dict[str, str]:
    """Offer the repository's own name instead of the template's placeholder."""
    name = project.name
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    guessed = {"project_name": name}
    if slug and slug[0].isalpha():
        guessed["project_slug"] = slug
    return guessed


def _bring_in(
    src: Path, project: Path, rel: str, options: AddOptions, result: UpdateResult
) -> None:
    """Add one rendered file; an existing different file becomes a reported conflict."""
    dest = project / rel
    theirs = src.read_bytes()
    if not dest.exists():
        result.added.append(rel)
        if not options.pretend:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
        return
    if dest.is_dir():
        raise GenaiopsError(f"{dest} is a directory; the capability needs a file there")
    ours = dest.read_bytes()
    if ours == theirs:
        result.unchanged.append(rel)
        return
    if options.conflict == "rej":
        result.rejects.append(f"{rel}.rej")
        if not options.pretend:
            (project / f"{rel}.rej").write_bytes(_patch(rel, ours, theirs))
        return
    result.conflicts.append(rel)
    if options.pretend:
        return
    merged = merge.three_way(b"", ours, theirs)
    dest.write_bytes(merged.content)
    if not merged.clean:
        git.mark_unmerged(project, rel, {2: ours, 3: theirs})


def _patch(rel: str, ours: bytes, theirs: bytes) -> bytes:
    """The template's version as a patch against the repository's file (apply by hand)."""
    diff = difflib.unified_diff(
        ours.decode(errors="replace").splitlines(keepends=True),
        theirs.decode(errors="replace").splitlines(keepends=True),
        fromfile=f"a/{rel}",
        tofile=f"b/{rel}",
    )
    return "".join(diff).encode()
