"""The one place genaiops calls Copier to render a template; errors become one line."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
) -> dict[str, Any]:
    """Render ``source`` into the new directory ``dest``; return the questions Copier knew.

    ``dest`` must not exist yet: callers render into a private temporary directory and move
    the result into place, so a failure never leaves a half-written project behind.
    """
    import copier
    from copier import errors as copier_errors
    from plumbum import ProcessExecutionError

    try:
        with _hermetic_git_env():
            worker = copier.run_copy(
                source.src,
                dest,
                data=dict(answers),
                vcs_ref=source.vcs_ref,
                settings=copier.Settings(),
                defaults=defaults,
                quiet=True,
                unsafe=trust,
                cleanup_on_error=True,
            )
    except copier_errors.UnsafeTemplateError as exc:
        raise GenaiopsError(
            f"template {source.src} wants to run code on this machine ({_first_line(exc)}); "
            "pass --trust only if you trust it"
        ) from None
    except copier_errors.InteractiveSessionError:
        raise GenaiopsError(
            "no terminal to ask the questions: answer with --defaults, --data or --data-file"
        ) from None
    except (KeyboardInterrupt, copier_errors.CopierAnswersInterrupt):
        raise GenaiopsError("cancelled; nothing was written", exit_code=130) from None
    except ProcessExecutionError as exc:
        stderr = str(getattr(exc, "stderr", "") or exc).strip().splitlines()
        raise GenaiopsError(
            f"cannot fetch template {source.src}: {stderr[-1] if stderr else 'git failed'}"
        ) from None
    except copier_errors.UnsupportedVersionError as exc:
        raise GenaiopsError(_first_line(exc)) from None
    except (copier_errors.CopierError, ValueError, TypeError) as exc:
        raise GenaiopsError(_describe_answer_error(exc)) from None
    except OSError as exc:
        raise GenaiopsError(
            f"cannot render into {dest}: {exc.strerror or exc}", exit_code=1
        ) from None
    questions: dict[str, Any] = dict(worker.template.questions_data)
    return questions


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
def _hermetic_git_env() -> Iterator[None]:
    """Git must never prompt for credentials: a missing template fails at once instead."""
    from plumbum import local

    overrides = {"GIT_TERMINAL_PROMPT": "0"}
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
