"""Reporters: one ``Report`` rendered for people (text, Markdown) and machines (JSON, SARIF).

``FORMATS`` maps each ``--format`` name to its renderer, imported on first use so the CLI's
start-up stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.assess.evaluate import Report


@dataclass(frozen=True)
class RenderOptions:
    verbose: bool = False
    details: bool = False
    color: bool = False
    width: int = 140


def _json(reports: list[Report], _o: RenderOptions) -> str:
    from generator.assess.report import jsonout

    return jsonout.render(reports) + "\n"


def _sarif(reports: list[Report], _o: RenderOptions) -> str:
    from generator.assess.report import sarif

    return sarif.render(reports) + "\n"


def _md(reports: list[Report], _o: RenderOptions) -> str:
    from generator.assess.report import markdown

    return markdown.render(reports)


def _text(reports: list[Report], o: RenderOptions) -> str:
    from generator.assess.report import text

    return text.render(reports, verbose=o.verbose, color=o.color, width=o.width, details=o.details)


FORMATS: dict[str, Callable[[list[Report], RenderOptions], str]] = {
    "text": _text,
    "json": _json,
    "md": _md,
    "sarif": _sarif,
}
