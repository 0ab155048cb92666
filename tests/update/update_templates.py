"""A small template in two versions, written to exercise every kind of update."""

from __future__ import annotations

ANSWERS_JINJA = "{{ _copier_answers | to_nice_yaml -}}\n"

COPIER_V1 = """\
_subdirectory: template
_templates_suffix: .jinja
project_name:
  type: str
  default: demo
"""

COPIER_V2 = (
    COPIER_V1
    + """\
license:
  type: str
  help: License of the project
  default: MIT
"""
)


def numbered(prefix: str, count: int, changes: dict[int, str] | None = None) -> str:
    lines = [f"{prefix} line {i}" for i in range(1, count + 1)]
    for index, text in (changes or {}).items():
        lines[index - 1] = text
    return "\n".join(lines) + "\n"


V1 = {
    "copier.yml": COPIER_V1,
    "template/{{_copier_conf.answers_file}}.jinja": ANSWERS_JINJA,
    "template/README.md.jinja": "# {{ project_name }}\n\n" + numbered("readme", 12),
    "template/config.toml": numbered("config", 12),
    "template/old_name.txt": numbered("guide", 12),
    "template/obsolete.txt": numbered("obsolete", 4),
}

V2 = {
    "copier.yml": COPIER_V2,
    # line 3 changes where the team also edits it (conflict); line 11 elsewhere (clean)
    "template/README.md.jinja": "# {{ project_name }}\n\n"
    + numbered("readme", 12, {3: "readme line 3 (template v2)", 11: "readme line 11 (v2)"}),
    "template/config.toml": numbered("config", 12, {2: "config line 2 = v2"}),
    # renamed with a change of its own; a migration carries the team's edits over
    "template/old_name.txt": None,
    "template/new_name.txt": numbered("guide", 12, {1: "guide line 1 (v2 title)"}),
    "template/obsolete.txt": None,
    "template/LICENSE.jinja": "License: {{ license }}\n",
}
