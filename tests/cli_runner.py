"""The CLI run in-process, for tests that call it many times (Copier stays imported)."""

from __future__ import annotations

import os
from typing import NamedTuple, Protocol

import pytest


class CliResult(NamedTuple):
    """Exit code and output of one run; unpacks as ``code, out, err``."""

    code: int
    out: str
    err: str


class InProcessCli(Protocol):
    def __call__(self, *args: str | os.PathLike[str]) -> CliResult: ...


def in_process_cli(capsys: pytest.CaptureFixture[str]) -> InProcessCli:
    from generator.cli import main

    def run(*args: str | os.PathLike[str]) -> CliResult:
        capsys.readouterr()
        try:
            main([os.fspath(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
