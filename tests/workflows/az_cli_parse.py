"""Run az argument lists through the real Azure CLI (azure-cli from PyPI), offline, no login.

Runs with the python of the azure-cli environment (.venv-azcli):
    <azcli-venv>/bin/python az_cli_parse.py '{"login": [[...argv...]], "parse": [[...]]}'

"login" commands run for real in an empty config dir: the parser accepts them and the command
then stops for want of a login ("Please run 'az login'"), before any network call. "parse"
commands (whose handlers would reach the network first, e.g. to fetch the Bicep CLI) stop right
after the CLI's own parser accepted them. Prints one JSON result per command.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import tempfile
import time


class ParsedOK(Exception):
    """Raised after the CLI's parser accepted the arguments (parse mode)."""


class Grab(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def run(argv: list[str], parse_only: bool) -> dict[str, object]:
    from azure.cli.core import get_default_cli
    from knack.events import EVENT_INVOKER_POST_PARSE_ARGS

    started = time.monotonic()
    grab = Grab()
    logging.getLogger().addHandler(grab)
    cli = get_default_cli()

    accepted: list[bool] = []

    def stop(_cli_ctx: object, **_kwargs: object) -> None:
        accepted.append(True)
        raise ParsedOK  # the CLI reports it as an unexpected error: nothing runs after parsing

    if parse_only:
        cli.register_event(EVENT_INVOKER_POST_PARSE_ARGS, stop)
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        code = cli.invoke(argv[1:], out_file=io.StringIO())
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stderr = saved
        logging.getLogger().removeHandler(grab)
    parsed = bool(accepted)
    return {
        "argv": argv,
        "mode": "parse" if parse_only else "login",
        "code": code,
        "parsed": parsed,
        "log": [line for line in grab.lines if line][-3:],
        "seconds": round(time.monotonic() - started, 2),
    }


def main() -> None:
    request = json.loads(sys.argv[1])
    os.environ["AZURE_CONFIG_DIR"] = tempfile.mkdtemp(prefix="azcfg-")
    os.environ["AZURE_CORE_COLLECT_TELEMETRY"] = "no"
    os.environ["AZURE_EXTENSION_USE_DYNAMIC_INSTALL"] = "no"
    os.environ["AZURE_CORE_NO_COLOR"] = "true"
    os.environ["AZURE_CORE_ONLY_SHOW_ERRORS"] = "false"
    results = [run(argv, parse_only=False) for argv in request.get("login", [])]
    results += [run(argv, parse_only=True) for argv in request.get("parse", [])]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
