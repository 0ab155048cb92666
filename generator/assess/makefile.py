"""A small Makefile reader: targets, prerequisites, recipes (with file:line) and variables.

Enough to follow ``make eval`` to the command it runs: ``include`` (globs, ``$(wildcard)``),
``VAR = / := / ?= value`` with one level of ``$(VAR)`` expansion, ``-`` recipe prefixes and
``.IGNORE``. Pattern rules and functions other than wildcard/sort are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.assess.shell import logical_lines

if TYPE_CHECKING:
    from generator.assess.collect import Repo

_RULE = re.compile(r"^([^\t#:=][^:=]*?)\s*(::?)(?!=)\s*([^=;#]*?)\s*(?:;\s*(.*))?$")
_VAR = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*([:?+!]?=)\s*(.*)$")
_REF = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
_INCLUDE = re.compile(r"^-?s?include\s+(.+)$")


@dataclass(frozen=True)
class RecipeLine:
    path: str
    line: int
    text: str  # as written, prefixes removed, variables expanded
    ignore_errors: bool


@dataclass
class Target:
    name: str
    path: str
    line: int
    prereqs: list[str] = field(default_factory=list)
    recipe: list[RecipeLine] = field(default_factory=list)


@dataclass
class Makefile:
    targets: dict[str, Target] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    ignore_all: bool = False
    files: list[str] = field(default_factory=list)

    def expand(self, text: str, depth: int = 0) -> str:
        if depth > 4 or "$" not in text:
            return text

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in ("MAKE",):
                return "make"
            val = self.variables.get(name)
            return m.group(0) if val is None else self.expand(val, depth + 1)

        return _REF.sub(sub, text)


def load_makefile(repo: Repo, directory: str = "") -> Makefile | None:
    """Parse ``<directory>/Makefile`` (or makefile / GNUmakefile) and its includes."""
    prefix = f"{directory.strip('/')}/" if directory.strip("/") else ""
    for name in ("GNUmakefile", "makefile", "Makefile"):
        if repo.exists(prefix + name):
            mk = Makefile()
            _parse(repo, mk, prefix + name, prefix, depth=0)
            return mk
    return None


def _parse(repo: Repo, mk: Makefile, rel: str, base: str, depth: int) -> None:
    if depth > 5 or rel in mk.files:
        return
    text = repo.text(rel)
    if text is None:
        return
    mk.files.append(rel)
    current: list[Target] = []
    for lineno, line in logical_lines(text):
        if line.startswith("\t"):
            body = line[1:].strip()
            if not current or not body or body.startswith("#"):
                continue
            ignore = False
            while body[:1] in ("@", "-", "+"):
                ignore = ignore or body[0] == "-"
                body = body[1:].lstrip()
            for tgt in current:
                tgt.recipe.append(RecipeLine(rel, lineno, body, ignore))
            continue
        stripped = line.split("#", 1)[0].rstrip() if "#" in line else line.rstrip()
        if not stripped.strip():
            continue
        inc = _INCLUDE.match(stripped.strip())
        if inc:
            current = []
            for pattern in _include_patterns(mk.expand(inc.group(1))):
                for path in (
                    repo.glob(base + pattern)
                    if any(c in pattern for c in "*?")
                    else [base + pattern]
                ):
                    _parse(repo, mk, path, base, depth + 1)
            continue
        var = _VAR.match(stripped.strip())
        if var:
            name, op, value = var.group(1), var.group(2), var.group(3).strip()
            if op == "?=" and name in mk.variables:
                continue
            mk.variables[name] = mk.variables.get(name, "") + " " + value if op == "+=" else value
            current = []
            continue
        rule = _RULE.match(stripped)
        if rule and not stripped.startswith(
            (" ", "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "define", "endef")
        ):
            names = mk.expand(rule.group(1)).split()
            prereqs = [p for p in mk.expand(rule.group(3)).split() if not p.startswith("|")]
            if ".IGNORE" in names and not prereqs:
                mk.ignore_all = True
            current = []
            for name in names:
                if "%" in name:
                    continue
                found = mk.targets.get(name)
                tgt = found if found is not None else Target(name, rel, lineno)
                mk.targets[name] = tgt
                tgt.prereqs.extend(p for p in prereqs if p != "|")
                current.append(tgt)
            if rule.group(4):
                for tgt in current:
                    tgt.recipe.append(RecipeLine(rel, lineno, rule.group(4).strip(), False))
            continue
        current = []


def _include_patterns(arg: str) -> list[str]:
    """``mk/*.mk``, ``$(wildcard mk/*.mk)``, ``$(sort $(wildcard mk/*.mk))`` → globs."""
    return [
        tok
        for tok in re.split(r"[\s()]+", arg)
        if tok and tok not in ("sort", "wildcard", "$") and not tok.startswith("$")
    ]
