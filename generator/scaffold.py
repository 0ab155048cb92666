"""The one place genaiops calls Copier to render a template; errors become one line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from generator.errors import GenaiopsError
from generator.template_source import TemplateSource

_VALIDATION = re.compile(r"Validation error for question '([^']+)': (.*)", re.DOTALL)
_CHOICE = re.compile(r"Invalid choice for '([^']+)': (.*)", re.DOTALL)


def render(
    source: TemplateSource,
    dest: Path,
    answers: Mapping[str, Any],
    *,
    defaults: bool,
    trust: bool,
    answers_file: str | None = None,
    exclude: Sequence[str] = (),
    user_defaults: Mapping[str, Any] | None = None,
    answer_with: str = "--defaults, --data or --data-file",
) -> dict[str, Any]:
    """Render ``source`` into the new directory ``dest``; return the questions Copier knew.

    ``dest`` must not exist yet: callers render into a private temporary directory and move
    the result into place, so a failure never leaves a half-written project behind.
    Our own template is safe by construction, so it never runs with ``unsafe``, whatever
    ``trust`` says; a third-party template does only when the user passed ``--trust``.
    """
    import copier

    with copier_errors(source.src, dest, answer_with), git_environment(source.git_env):
        worker = copier.run_copy(
            source.src,
            dest,
            data=dict(answers),
            answers_file=answers_file,
            vcs_ref=source.vcs_ref,
            settings=copier.Settings(),
            defaults=defaults,
            user_defaults=dict(user_defaults or {}),
            exclude=list(exclude),
            quiet=True,
            unsafe=trust and not source.shipped,
            cleanup_on_error=True,
        )
    questions: dict[str, Any] = dict(worker.template.questions_data)
    return questions


def update(
    project: Path,
    *,
    git_env: Mapping[str, str],
    answers_file: str,
    vcs_ref: str,
    data: Mapping[str, Any],
    defaults: bool,
    conflict: Literal["inline", "rej"],
    unsafe: bool,
    pretend: bool = False,
) -> None:
    """Copier's 3-way update of ``project`` to ``vcs_ref`` (questions only for new answers)."""
    import copier

    with copier_errors(str(project), project, UPDATE_ANSWERS), git_environment(git_env):
        copier.run_update(
            project,
            data=dict(data),
            answers_file=answers_file,
            vcs_ref=vcs_ref,
            settings=copier.Settings(),
            defaults=defaults,
            overwrite=True,
            conflict=conflict,
            context_lines=3,
            skip_answered=True,
            quiet=True,
            unsafe=unsafe,
            pretend=pretend,
        )


def subset_exclude(paths: Sequence[str]) -> list[str]:
    """Copier ``exclude`` patterns that keep only ``paths`` (project-relative, posix)."""
    patterns = ["*"]
    for path in paths:
        escaped = re.sub(r"([\\\[\]*?!# ])", r"\\\1", path)
        patterns.append(f"!/{escaped}")
    return patterns


UPDATE_ANSWERS = "--defaults or --data KEY=VALUE"  # what update and add accept


@contextmanager
def copier_errors(src: str, dest: Path, answer_with: str) -> Iterator[None]:
    """Turn Copier's exceptions (often tracebacks on its own CLI) into one-line errors."""
    from copier import errors as copier_errors_mod
    from plumbum import ProcessExecutionError

    try:
        yield
    except copier_errors_mod.UnsafeTemplateError as exc:
        raise GenaiopsError(
            f"template {src} wants to run code on this machine ({_first_line(exc)}); "
            "pass --trust only if you trust it"
        ) from None
    except copier_errors_mod.InteractiveSessionError:
        raise GenaiopsError(
            f"no terminal to ask the questions: answer with {answer_with}"
        ) from None
    except (KeyboardInterrupt, copier_errors_mod.CopierAnswersInterrupt):
        raise GenaiopsError("cancelled; nothing was written", exit_code=130) from None
    except ProcessExecutionError as exc:
        stderr = str(getattr(exc, "stderr", "") or exc).strip().splitlines()
        raise GenaiopsError(
            f"cannot fetch template {src}: {stderr[-1] if stderr else 'git failed'}"
        ) from None
    except copier_errors_mod.UnsupportedVersionError as exc:
        raise GenaiopsError(_first_line(exc)) from None
    except (copier_errors_mod.CopierError, ValueError, TypeError) as exc:
        raise GenaiopsError(_describe_answer_error(exc)) from None
    except OSError as exc:
        raise GenaiopsError(f"cannot write {dest}: {exc.strerror or exc}", exit_code=1) from None


def _describe_answer_error(exc: BaseException) -> str:
    text = str(exc).strip()
    for pattern, prefix in ((_VALIDATION, "invalid answer for"), (_CHOICE, "invalid answer for")):
        match = pattern.search(text)
        if match:
            return f"{prefix} {match.group(1)}: {match.group(2).strip().splitlines()[0]}"
    if "Unknown revision" in text or "did not match any" in text:
        return f"unknown template version: {_first_line(exc)}"
    return _first_line(exc) or type(exc).__name__


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


@contextmanager
def git_environment(extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """Set variables for git and Copier for the duration of one call.

    Copier runs git through plumbum, which snapshots ``os.environ`` when it is imported, so
    the variables go to plumbum's ``local.env`` as well as to ``os.environ`` (Copier reads
    ``COPIER_CACHE_DIR`` from the latter). Git must never prompt for credentials.
    """
    from plumbum import local

    from generator.git import NO_PROMPT

    overrides = {**NO_PROMPT, **dict(extra or {})}
    previous = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        with local.env(**overrides):
            yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
