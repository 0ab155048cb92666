"""A small Makefile reader: targets, prerequisites, recipes (with file:line) and variables.

Enough to follow ``make eval`` to the command it runs: ``include`` (globs, ``$(wildcard)``),
``VAR = / := / ?= value`` with nested ``$(VAR)`` expansion and the common functions (``or``,
``if``, ``shell command -v``, ``wildcard``, ``subst`` ...), ``-`` recipe prefixes and ``.IGNORE``.
Pattern rules are ignored.
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
        """Expand ``$(VAR)``, ``${VAR}`` and the common functions the way make would.

        Undefined variables and ``$(shell ...)`` are unknown before run time: an undefined
        variable is empty (as in make), ``$(shell command -v X)`` is the tool ``X``, any other
        ``$(shell ...)`` and unknown functions are empty. ``$$`` is a literal ``$``; automatic
        variables (``$@``, ``$<`` ...) are kept as written.
        """
        if "$" not in text:
            return text
        return _Expander(self.variables).run(text, depth)


_FUNCS = {
    "or",
    "and",
    "if",
    "shell",
    "wildcard",
    "sort",
    "strip",
    "firstword",
    "lastword",
    "subst",
    "patsubst",
    "filter",
    "filter-out",
    "notdir",
    "dir",
    "abspath",
    "realpath",
    "addprefix",
    "addsuffix",
    "word",
    "words",
    "findstring",
    "basename",
    "error",
    "warning",
    "info",
    "call",
    "foreach",
    "eval",
    "value",
    "origin",
    "flavor",
    "join",
    "suffix",
    "wordlist",
    "file",
}
_TOOL_LOOKUP = re.compile(r"^\s*(?:command\s+-v|which|type\s+-p)\s+([\w.+-]+)")
_MAX_DEPTH = 10


class _Expander:
    def __init__(self, variables: dict[str, str]) -> None:
        self.variables = variables

    def run(self, text: str, depth: int = 0) -> str:
        if depth > _MAX_DEPTH or "$" not in text:
            return text
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch != "$" or i + 1 >= n:
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt in "({":
                end = _closing(text, i + 1)
                if end < 0:  # unbalanced: keep the rest as written
                    out.append(text[i:])
                    break
                out.append(self._reference(text[i + 2 : end], depth))
                i = end + 1
            else:  # $@, $<, $^, $X: automatic or one-letter variables
                if nxt.isalpha() and nxt in self.variables:
                    out.append(self.run(self.variables[nxt], depth + 1))
                else:
                    out.append(text[i : i + 2])
                i += 2
        return "".join(out)

    def _reference(self, body: str, depth: int) -> str:
        head, sep, rest = body.replace("\t", " ").partition(" ")
        if head in _FUNCS and sep:
            return self._function(head, rest, depth)
        if ":" in body and "=" in body:  # substitution reference $(VAR:.c=.o)
            name, _, pattern = body.partition(":")
            old, _, new = pattern.partition("=")
            value = self.run(self.variables.get(name.strip(), ""), depth + 1)
            return " ".join(
                w[: -len(old)] + new if old and w.endswith(old) else w for w in value.split()
            )
        name = self.run(body, depth + 1).strip()
        if name == "MAKE":
            return "make"
        raw = self.variables.get(name)
        return "" if raw is None else self.run(raw, depth + 1)

    def _function(self, name: str, rest: str, depth: int) -> str:
        args = _split_args(rest)
        ev = [self.run(a, depth + 1) for a in args]
        first = ev[0].strip() if ev else ""
        if name == "or":
            return next((a.strip() for a in ev if a.strip()), "")
        if name == "and":
            return ev[-1].strip() if ev and all(a.strip() for a in ev) else ""
        if name == "if":
            branch = 1 if first else 2
            return ev[branch].strip() if len(ev) > branch else ""
        if name == "shell":
            tool = _TOOL_LOOKUP.match(rest)
            return tool.group(1) if tool else ""
        if name in ("wildcard", "sort", "strip", "abspath", "realpath", "value"):
            return " ".join(" ".join(ev).split())
        if name in ("firstword", "lastword"):
            words = first.split()
            return (words[0] if name == "firstword" else words[-1]) if words else ""
        if name == "subst" and len(ev) == 3:
            return ev[2].replace(args[0], ev[1]) if args[0] else ev[2]
        if name == "patsubst" and len(ev) == 3:
            return " ".join(_patsubst(ev[0].strip(), ev[1].strip(), w) for w in ev[2].split())
        if name in ("addprefix", "addsuffix") and len(ev) == 2:
            return " ".join(
                (first + w) if name == "addprefix" else (w + first) for w in ev[1].split()
            )
        if name == "notdir":
            return " ".join(w.rsplit("/", 1)[-1] for w in first.split())
        return ""


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (nested ``$(...)`` aware)."""
    opener = text[start]
    closer = ")" if opener == "(" else "}"
    level = 0
    for j in range(start, len(text)):
        if text[j] == opener:
            level += 1
        elif text[j] == closer:
            level -= 1
            if level == 0:
                return j
    return -1


def _split_args(text: str) -> list[str]:
    """Split function arguments on top-level commas."""
    args: list[str] = []
    buf: list[str] = []
    level = 0
    for ch in text:
        if ch in "({":
            level += 1
        elif ch in ")}":
            level -= 1
        if ch == "," and level == 0:
            args.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    args.append("".join(buf))
    return args


def _patsubst(pattern: str, replacement: str, word: str) -> str:
    if "%" not in pattern:
        return replacement if word == pattern else word
    pre, post = pattern.split("%", 1)
    if word.startswith(pre) and word.endswith(post) and len(word) >= len(pre) + len(post):
        stem = word[len(pre) : len(word) - len(post)]
        return replacement.replace("%", stem, 1)
    return word


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
