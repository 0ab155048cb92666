"""``genaiops update`` for one repository: preflight, Copier's 3-way update, migrations, report.

Copier does the merge. genaiops adds what Copier lacks: checks before anything is written,
Python migrations (renames keep the team's edits), conflict detection (``git ls-files -u`` and
``*.rej``), a warning when the update deletes a file the team changed, a summary, and an exact
undo if anything fails half-way (the tree was clean, so ``reset --hard`` + ``clean`` restore it).
"""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from generator import git
from generator.inputs import check_directory
from generator.template_source import SourceOptions
from generator.update import answers_file, merge, preflight
from generator.update.migrations import REGISTRY, Migration, MigrationContext, pending
from generator.update.renders import render_version
from generator.update.summary import UpdateResult


@dataclass
class UpdateOptions:
    to: str | None = None
    pretend: bool = False
    conflict: Literal["inline", "rej"] = "inline"
    data: dict[str, Any] = field(default_factory=dict)
    defaults: bool = False
    source: SourceOptions = field(default_factory=SourceOptions)


def update_repository(
    project: Path,
    options: UpdateOptions,
    migrations: Sequence[Migration] | None = None,
) -> list[UpdateResult]:
    """Update every answers file of ``project`` (the app, then each added capability).

    ``migrations`` replaces our template's registry (tests bring their own template).
    """
    check_directory(project.expanduser())  # before resolve(): a link loop is named as one
    project = project.expanduser().resolve()
    preflight.check_repository(project)
    all_answers = preflight.load_all(project)
    preflight.check_clean(project)
    plans = [preflight.plan(project, a, options.to, options.source) for a in all_answers]
    unattended = not options.defaults and not sys.stdin.isatty()
    for plan in plans:
        if not plan.up_to_date or options.data:
            preflight.check_data(plan, options.data)
            if unattended:
                preflight.check_unattended(plan, options.data)
    if options.pretend:
        with _scratch_clone(project) as clone:
            return _run_plans(clone, plans, options, migrations, pretend_of=project)
    return _run_plans(project, plans, options, migrations, pretend_of=None)


def _run_plans(
    project: Path,
    plans: Sequence[preflight.Plan],
    options: UpdateOptions,
    migrations: Sequence[Migration] | None,
    pretend_of: Path | None,
) -> list[UpdateResult]:
    shown = pretend_of or project
    orig = git.head(project)
    assert orig is not None
    results: list[UpdateResult] = []
    temp_commits = 0
    try:
        for plan in plans:
            relpath = plan.answers.relpath
            if plan.up_to_date and not options.data:
                results.append(UpdateResult.skipped(shown, relpath, plan.current, "up to date"))
                continue
            if results and results[-1].conflicts:
                results.append(
                    UpdateResult.skipped(
                        shown,
                        relpath,
                        plan.current,
                        "not updated: resolve the conflicts above, commit, and run update again",
                    )
                )
                continue
            if results and results[-1].changed:
                git.commit_all(project, "genaiops update (temporary)")
                temp_commits += 1
            chosen = migrations if migrations is not None else (REGISTRY if plan.ours else ())
            results.append(_update_one(project, plan, options, chosen, shown))
    except BaseException:
        git.restore(project, orig)
        raise
    if temp_commits:
        conflicted = any(r.conflicts for r in results)
        git.reset(project, orig, keep_index=conflicted)
    for result in results:
        result.pretend = pretend_of is not None
    return results


def _update_one(
    project: Path,
    plan: preflight.Plan,
    options: UpdateOptions,
    migrations: Sequence[Migration],
    shown: Path,
) -> UpdateResult:
    from generator import scaffold

    before = plan.answers
    scaffold.update(
        project,
        git_env=plan.git_env,
        answers_file=before.relpath,
        vcs_ref=plan.target,
        data=options.data,
        defaults=options.defaults,
        conflict=options.conflict,
        unsafe=options.source.trust and not plan.ours,
    )
    after = answers_file.load(project, before.relpath)
    ctx = MigrationContext(project, plan.from_version, plan.to_version, after.public)
    for migration in pending(migrations, plan.from_version, plan.to_version):
        migration.apply(ctx)
        ctx.note(f"migration {migration.version}: {migration.description}")
    state = git.status(project)
    renamed_from = {old for old, _ in ctx.renames}
    deleted = [p for p in state.deleted if p not in renamed_from]
    head_files = set(git.tracked(project))
    rej_targets = [
        p.removesuffix(".rej")
        for p in state.added
        if options.conflict == "rej" and p.endswith(".rej") and p.removesuffix(".rej") in head_files
    ]
    wanted = {*deleted, *renamed_from, *rej_targets}
    # the old version's files the team needs: the wanted ones, and those no longer in HEAD
    old_files = render_version(plan, plan.current, before.public, drop=head_files - wanted)
    team_removed = sorted(p for p in old_files if p not in head_files)
    new_files = (
        render_version(plan, plan.target, after.public, keep=[*team_removed, *rej_targets])
        if team_removed or rej_targets
        else {}
    )
    missed = [
        (path, _diff(path, old_files[path], new_files[path], plan))
        for path in team_removed
        if path in new_files and new_files[path] != old_files[path]
    ]
    for target in rej_targets:
        _only_conflicts_aside(project, target, old_files.get(target), new_files.get(target))
    conflicts = list(state.unmerged)
    for old, new in ctx.renames:
        if _carry_over(project, old, new, old_files.get(old)):
            conflicts.append(new)
    warnings = [
        f"{path} was deleted by the template update although your team changed it; "
        f"recover it with `git checkout HEAD -- {path}`"
        for path in deleted
        if git.show(project, "HEAD", path) != old_files.get(path)
    ] + [
        f"the template changed {path}, which your team deleted or renamed; its change is not "
        "applied: the diff below shows it, to carry over by hand if it still matters"
        for path, _ in missed
    ]
    state = git.status(project)
    rejects = sorted(p for p in state.added if p.endswith(".rej"))
    renamed_to = {new for _, new in ctx.renames}
    new_answers = {k: v for k, v in after.public.items() if k not in before.public}
    changed_answers = {
        k: v for k, v in after.public.items() if k in before.public and before.public[k] != v
    }
    return UpdateResult(
        project=shown,
        answers_file=before.relpath,
        from_version=plan.current,
        to_version=after.commit,
        status="updated",
        updated=[p for p in state.modified if p != before.relpath and p not in renamed_to],
        added=[p for p in state.added if p not in rejects and p not in renamed_to],
        removed=[p for p in state.deleted if p not in renamed_from],
        renamed=list(ctx.renames),
        conflicts=sorted(set(conflicts) | set(state.unmerged)),
        rejects=rejects,
        new_answers=new_answers,
        changed_answers=changed_answers,
        warnings=warnings,
        notes=ctx.notes,
        missed=missed,
    )


def _diff(path: str, old: bytes, new: bytes, plan: preflight.Plan) -> str:
    lines = difflib.unified_diff(
        old.decode(errors="replace").splitlines(keepends=True),
        new.decode(errors="replace").splitlines(keepends=True),
        fromfile=f"a/{path} ({plan.current})",
        tofile=f"b/{path} ({plan.target})",
    )
    return "".join(lines)


def _only_conflicts_aside(
    project: Path, rel: str, base: bytes | None, theirs: bytes | None
) -> None:
    """Copier's rej mode puts the template's file in place and the team's whole hunks aside;
    redo it the other way round: the team's file stays, only conflicting hunks go to .rej."""
    ours = git.show(project, "HEAD", rel)
    if ours is None or base is None or theirs is None:
        return  # a file one side lacks: Copier's result stands
    kept, patch = merge.keep_ours(base, ours, theirs, rel)
    (project / rel).write_bytes(kept)
    reject = project / f"{rel}.rej"
    if patch:
        reject.write_bytes(patch)
    else:
        reject.unlink(missing_ok=True)


def _carry_over(project: Path, old: str, new: str, base: bytes | None) -> bool:
    """Merge the team's edits of ``old`` (renamed by the template) into ``new``.

    Returns True when the merge left conflicts (the file is then marked unmerged).
    """
    ours = git.show(project, "HEAD", old)
    if ours is None or ours == base:
        return False  # the team never had or never changed the old file: nothing to carry
    target = project / new
    theirs = target.read_bytes() if target.is_file() else None
    (project / old).unlink(missing_ok=True)
    if theirs is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(ours)
        return False
    result = merge.three_way(base or b"", ours, theirs)
    target.write_bytes(result.content)
    if result.clean:
        return False
    git.mark_unmerged(project, new, {1: base or b"", 2: ours, 3: theirs})
    return True


@contextmanager
def _scratch_clone(project: Path) -> Iterator[Path]:
    """A throw-away clone sharing the repository's objects, for ``--pretend``."""
    top = git.toplevel(project)
    assert top is not None
    rel = project.resolve().relative_to(top.resolve())
    tmp = Path(tempfile.mkdtemp(prefix="genaiops-pretend-"))
    try:
        clone = tmp / "clone"
        git.shared_clone(top, clone)
        yield clone / rel
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
