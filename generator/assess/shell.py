"""Split shell scripts into simple commands and decide which ones can fail their caller.

A command "gates" when its failure fails the script: under ``set -e`` (GitHub's default
``bash -e``) every statement does, except conditions (``if cmd``), commands before ``||`` with a
non-failing fallback (``|| true``), and commands before the last stage of a pipeline unless
``pipefail`` is set. Without ``-e`` (a make recipe line, a script without ``set -e``) only the
final statement decides.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_KEYWORDS_PASS = {"then", "do", "else", "{", "}", "(", ")", "time", "exec", "command", "nohup"}
_KEYWORDS_COND = {"if", "elif", "while", "until", "!"}
_FAILS = {"false", "exit", "return"}


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    line: int  # 1-based line within the script
    gates: bool
    why_not: str | None


@dataclass
class ShellState:
    errexit: bool
    pipefail: bool


def logical_lines(script: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buf, start = "", 1
    for i, raw in enumerate(script.splitlines(), 1):
        if not buf:
            start = i
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        out.append((start, buf + raw))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to a rough split
        return re.findall(r"&&|\|\||[;|&]|[^\s;|&]+", line.split(" #", 1)[0])


def _is_failure(argv: list[str]) -> bool:
    if not argv:
        return False
    if argv[0] == "false":
        return True
    if argv[0] in ("exit", "return"):
        return len(argv) > 1 and argv[1] not in ("0",)
    return False


def _set_flags(argv: list[str], state: ShellState) -> None:
    for i, arg in enumerate(argv[1:], 1):
        if arg.startswith(("-", "+")) and len(arg) > 1 and arg[1:].isalpha():
            on = arg[0] == "-"
            if "e" in arg[1:]:
                state.errexit = on
            if "o" in arg[1:] and i + 1 < len(argv) and argv[i + 1] == "pipefail":
                state.pipefail = on
        elif arg == "pipefail" and argv[i - 1] in ("-o", "-eo", "-euo", "-ueo", "-oe"):
            state.pipefail = True


def split_script(script: str, state: ShellState) -> list[Command]:
    """Every simple command of ``script`` with whether its failure fails the script."""
    statements: list[tuple[int, list[list[list[str]]], list[str], bool, bool]] = []
    # (line, pipelines [[argv, ...], ...], operators between pipelines, errexit, pipefail)
    for lineno, line in logical_lines(script):
        toks = _tokens(line)
        pipelines: list[list[list[str]]] = [[[]]]
        ops: list[str] = []

        def flush(lineno: int = lineno) -> None:
            nonlocal pipelines, ops
            cmds = [[c for c in p if c] for p in pipelines]
            if any(any(c for c in p) for p in cmds):
                statements.append((lineno, cmds, ops, state.errexit, state.pipefail))
                for p in cmds:
                    for argv in p:
                        if argv and argv[0] == "set":
                            _set_flags(argv, state)
            pipelines, ops = [[[]]], []

        for tok in toks:
            if tok in (";", "&", ";;", "&;"):
                flush()
            elif tok in ("&&", "||"):
                ops.append(tok)
                pipelines.append([[]])
            elif tok == "|":
                pipelines[-1].append([])
            elif tok in ("(", ")", "<", ">", ">>", "<<", "|&", ">&", "<&"):
                continue
            else:
                pipelines[-1][-1].append(tok)
        flush()

    commands: list[Command] = []
    last_index = len(statements) - 1
    for idx, (lineno, pipes, ops, errexit, pipefail) in enumerate(statements):
        final = idx == last_index
        for pi, pipe in enumerate(pipes):
            after = ops[pi] if pi < len(ops) else None
            fallback = pipes[pi + 1] if after == "||" and pi + 1 < len(pipes) else None
            for ci, argv in enumerate(pipe):
                words = list(argv)
                cond = False
                while words and (words[0] in _KEYWORDS_PASS or words[0] in _KEYWORDS_COND):
                    cond = cond or words[0] in _KEYWORDS_COND
                    words.pop(0)
                while words and _ASSIGN.match(words[0]):
                    words.pop(0)
                if not words or words[0] in ("fi", "done", "esac", "then", "do"):
                    continue
                why: str | None = None
                if cond:
                    why = "used as a condition (if/while/!), so its failure is ignored"
                elif not errexit and not final:
                    why = (
                        "the script does not stop on errors (no `set -e`) "
                        "and this is not its last command"
                    )
                elif fallback is not None and not any(_is_failure(c) for c in fallback):
                    alt = " ".join(fallback[0]) if fallback and fallback[0] else "…"
                    why = f"failure is swallowed by `|| {alt}`"
                elif ci < len(pipe) - 1 and not pipefail:
                    why = "it is piped into another command without `set -o pipefail`"
                commands.append(Command(tuple(words), lineno, why is None, why))
    return commands
