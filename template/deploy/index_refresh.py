"""Refresh the search index safely: ingest into a new versioned index, evaluate retrieval on
it, and point the alias at it only if the eval passes (the old index keeps serving otherwise).

The ingest and eval commands get the new index name in APP_AZURE_SEARCH_INDEX, the setting the
app reads (deploy/contract.py); the app in production queries the alias. The alias lives in
Azure AI Search (``--backend azure``, REST through ``az rest``, which also selects
APP_SEARCH_BACKEND=azure_ai_search for the ingest and the eval) or, offline, in a JSON file
(``--backend local``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from deploy import ci
from deploy.azure import AzureError, run_az
from deploy.contract import SEARCH_INDEX_ALIAS

#: the setting the app reads its index name from (src/<package>/settings.py)
INDEX_SETTING = "APP_AZURE_SEARCH_INDEX"

Runner = Callable[[Sequence[str]], str]
Execute = Callable[[Sequence[str], dict[str, str]], int]
_INDEX = re.compile(r"^[a-z0-9][a-z0-9-]{0,126}[a-z0-9]$")
API_VERSION = "2025-05-01-preview"


def index_name(alias: str, version: str) -> str:
    name = f"{alias}-v{version}"
    if not _INDEX.match(name) or "--" in name:
        raise ValueError(f"index name {name!r}: lower-case letters, digits and single dashes")
    return name


def alias_command(
    service: str, alias: str, index: str, api_version: str = API_VERSION
) -> list[str]:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,59}", service):
        raise ValueError(f"search service {service!r} is not a service name")
    body = json.dumps({"name": alias, "indexes": [index]})
    return [
        "az",
        "rest",
        "--method",
        "put",
        "--url",
        f"https://{service}.search.windows.net/aliases/{alias}?api-version={api_version}",
        "--resource",
        "https://search.azure.com",
        "--headers",
        "Content-Type=application/json",
        "--body",
        body,
    ]


def switch_local(alias_file: Path, alias: str, index: str) -> str | None:
    aliases = json.loads(alias_file.read_text(encoding="utf-8")) if alias_file.is_file() else {}
    previous = aliases.get(alias)
    aliases[alias] = index
    alias_file.parent.mkdir(parents=True, exist_ok=True)
    alias_file.write_text(json.dumps(aliases, indent=2) + "\n", encoding="utf-8")
    return previous


def _execute(command: Sequence[str], env: dict[str, str]) -> int:
    return subprocess.run(list(command), env=env, check=False).returncode


def refresh(
    alias: str,
    version: str,
    ingest: Sequence[str],
    evaluate: Sequence[str],
    switch: Callable[[str], None],
    execute: Execute = _execute,
    backend: str = "local",
) -> str:
    """Build, gate, switch. Raises RuntimeError (alias untouched) when a step fails."""
    index = index_name(alias, version)
    env = {**os.environ, INDEX_SETTING: index}
    if backend == "azure":  # the ingest and the eval run against Azure AI Search
        env["APP_SEARCH_BACKEND"] = "azure_ai_search"
    print(f"ingesting into {index}: {shlex.join(ingest)}", flush=True)
    if execute(ingest, env) != 0:
        raise RuntimeError(f"ingest into {index} failed; alias {alias} unchanged")
    print(f"evaluating retrieval on {index}: {shlex.join(evaluate)}", flush=True)
    if execute(evaluate, env) != 0:
        raise RuntimeError(f"eval on {index} failed its thresholds; alias {alias} unchanged")
    switch(index)
    print(f"alias {alias} -> {index}")
    return index


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.index_refresh", description=__doc__)
    parser.add_argument("--alias", default=os.environ.get("SEARCH_INDEX_ALIAS", SEARCH_INDEX_ALIAS))
    parser.add_argument("--version", default=ci.run_number())
    parser.add_argument("--backend", choices=["local", "azure"], default="local")
    parser.add_argument("--alias-file", type=Path, default=Path("data/index/aliases.json"))
    parser.add_argument("--search-service", default=os.environ.get("AZURE_SEARCH_SERVICE", ""))
    parser.add_argument("--ingest-cmd", default="make ingest")
    parser.add_argument("--eval-cmd", default="make eval")
    args = parser.parse_args(argv)
    version = args.version or time.strftime("%Y%m%d%H%M%S", time.gmtime())
    try:
        index_name(args.alias, version)  # validate before doing anything
        if args.backend == "azure":
            alias_command(args.search_service, args.alias, "probe")  # validate up front

        def switch(index: str) -> None:
            if args.backend == "azure":
                run_az(alias_command(args.search_service, args.alias, index))
            else:
                switch_local(args.alias_file, args.alias, index)

        refresh(
            args.alias,
            version,
            shlex.split(args.ingest_cmd),
            shlex.split(args.eval_cmd),
            switch,
            backend=args.backend,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, AzureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
