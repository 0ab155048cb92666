"""Options several verbs share, checked in one place with one message each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

from generator.errors import GenaiopsError

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
