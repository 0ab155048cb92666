"""Options several verbs share, checked in one place with one message each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, cast

import typer

from generator.errors import GenaiopsError

# The options several verbs declare, declared once
DataOption = Annotated[
    list[str] | None,
    typer.Option(
        "--data", "-d", metavar="KEY=VALUE", help="Answer a question: KEY=VALUE (repeatable)."
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", metavar="text|json", help="Output: text or json.")
]
TemplateUrlOption = Annotated[
    str | None,
    typer.Option(
        "--template-url",
        metavar="URL",
        help="Fetch the template from this URL or path instead (mirror, clone).",
    ),
]
OnlineOption = Annotated[
    bool,
    typer.Option(
        "--online",
        help="Fetch genaiops' template from its git URL, not from the versions this package ships.",
    ),
]

TEXT_OR_JSON = ("text", "json")
CONFLICT_MODES = ("inline", "rej")
ConflictMode = Literal["inline", "rej"]


def check_choice(option: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        *first, last = allowed
        alternatives = f"{', '.join(first)} or {last}" if first else last
        raise GenaiopsError(f"{option} must be {alternatives}, got {value!r}")
    return value


def check_format(value: str, allowed: Sequence[str] = TEXT_OR_JSON) -> str:
    return check_choice("--format", value, allowed)


def check_conflict(value: str) -> ConflictMode:
    return cast(ConflictMode, check_choice("--conflict", value, CONFLICT_MODES))
