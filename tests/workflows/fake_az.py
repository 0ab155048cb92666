"""A stand-in for the Azure CLI, for the commands the canary controller runs (nothing else).

It mirrors the real interface: same sub-commands and options (unknown options exit 2 like az),
same output formats (tsv, the JSON of ``ingress traffic show`` and of ``monitor app-insights
query``). Behind it: a JSON state file (revisions, labels, images → local URLs) and the local
ingress of the generated repo (``deploy/ingress.py``), whose weights it sets and whose request
log it aggregates the way the gate's KQL does. Every call is appended to FAKE_AZ_LOG.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

STATE = Path(os.environ["FAKE_AZ_STATE"])

# command words -> (required options, optional options, flags)
COMMON = {"-n", "-g"}
COMMANDS: dict[tuple[str, ...], tuple[set[str], set[str], set[str]]] = {
    ("containerapp", "show"): (COMMON, {"--query", "-o"}, set()),
    ("containerapp", "ingress", "traffic", "show"): (COMMON, {"-o"}, set()),
    ("containerapp", "ingress", "traffic", "set"): (COMMON | {"--revision-weight"}, set(), set()),
    ("containerapp", "update"): (COMMON | {"--image", "--revision-suffix"}, set(), set()),
    ("containerapp", "revision", "show"): (COMMON | {"--revision"}, {"--query", "-o"}, set()),
    ("containerapp", "revision", "label", "add"): (
        COMMON | {"--label", "--revision"},
        set(),
        {"--yes"},
    ),
    ("containerapp", "revision", "deactivate"): (COMMON | {"--revision"}, set(), set()),
    ("containerapp", "env", "show"): (COMMON, {"--query", "-o"}, set()),
    ("acr", "build"): ({"--registry", "--image", "--file"}, {"--agent-pool"}, set()),
    ("acr", "show"): ({"-n"}, {"--query", "-o"}, set()),
    ("account", "show"): (set(), {"--query", "-o"}, set()),
    ("identity", "federated-credential", "list"): (
        {"--identity-name", "-g"},
        {"--query", "-o"},
        set(),
    ),
    ("monitor", "app-insights", "query"): (
        {"--app", "-g", "--analytics-query"},
        {"--offset", "-o"},
        set(),
    ),
}


def fail(message: str, code: int = 1) -> None:
    print(f"ERROR: {message}", file=sys.stderr)
    raise SystemExit(code)


def parse(argv: list[str]) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    context = None
    if argv[:2] == ["acr", "build"] and argv[-1] == ".":  # the build context, positional
        argv, context = argv[:-1], "."
    for words, (required, optional, flags) in COMMANDS.items():
        if tuple(argv[: len(words)]) != words:
            continue
        options: dict[str, list[str]] = {}
        rest = argv[len(words) :]
        i = 0
        while i < len(rest):
            key = rest[i]
            if key in flags:
                options[key] = []
                i += 1
                continue
            if key not in required | optional:
                fail(f"unrecognized arguments: {key}", 2)
            values = []
            i += 1
            while i < len(rest) and not (
                rest[i].startswith("-") and rest[i] in required | optional | flags
            ):
                values.append(rest[i])
                i += 1
            if not values:
                fail(f"argument {key}: expected one argument", 2)
            options[key] = values
        if context:
            options["<context>"] = [context]
        missing = required - set(options)
        if missing:
            fail(f"the following arguments are required: {', '.join(sorted(missing))}", 2)
        return words, options
    fail(f"'{' '.join(argv[:3])}' is not in the 'az' command group", 2)
    raise AssertionError


def load() -> dict[str, Any]:
    return json.loads(STATE.read_text())


def save(state: dict[str, Any]) -> None:
    STATE.write_text(json.dumps(state, indent=2))


def admin(state: dict[str, Any], name: str, payload: Any = None) -> Any:
    if not state.get("ingress"):
        return []  # no local ingress in this scenario: Azure bookkeeping only
    url = state["ingress"] + "/_ingress/" + name
    data = None if payload is None else json.dumps(payload).encode()
    method = "GET" if data is None else "PUT"
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def one(options: dict[str, list[str]], key: str) -> str:
    return options[key][0]


def revision_health(url: str | None) -> str:
    if url is None:
        return "Healthy"
    for _ in range(5):
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return "Healthy"
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return "Unhealthy"


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def query(state: dict[str, Any], kql: str) -> dict[str, Any]:
    """Aggregate the ingress log the way the gate's KQL aggregates App Insights rows."""
    for needed in (
        "requests",
        "customEvents",
        '"gen_ai.evaluation.result"',
        "percentile(duration, 95)",
    ):
        if needed not in kql:
            fail(f"query lacks {needed}: not the gate query")
    stable = re.search(r'let stable_rev = "([^"]+)";', kql)
    canary = re.search(r'let canary_rev = "([^"]+)";', kql)
    since = re.search(r"let canary_since = datetime\(([^)]+)\);", kql)
    ago = re.search(r"let stable_since = ago\((\d+)m\);", kql)
    if not (stable and canary and since and ago):
        fail("query does not name the revisions and windows", 1)
        raise AssertionError
    canary_since = datetime.fromisoformat(since.group(1).replace("Z", "+00:00")).timestamp()
    windows = {
        stable.group(1): time.time() - 60 * int(ago.group(1)),
        canary.group(1): canary_since,
    }
    rows = []
    hits = admin(state, "log")
    for revision, start in windows.items():
        mine = [h for h in hits if h["revision"] == revision and h["t"] >= start]
        if not mine:
            continue
        score = state["eval_scores"].get(revision)
        rows.append(
            [
                revision,
                len(mine),
                sum(1 for h in mine if h["status"] >= 500),
                p95([h["ms"] for h in mine]),
                score,
            ]
        )
    columns = [
        {"name": "revision", "type": "string"},
        {"name": "requests", "type": "long"},
        {"name": "failures", "type": "long"},
        {"name": "p95_ms", "type": "real"},
        {"name": "eval_score", "type": "real"},
    ]
    return {"tables": [{"name": "PrimaryResult", "columns": columns, "rows": rows}]}


def main(argv: list[str]) -> None:
    log = os.environ.get("FAKE_AZ_LOG")
    if log:
        with Path(log).open("a") as sink:
            sink.write(json.dumps(["az", *argv]) + "\n")
    words, options = parse(argv)
    state = load()
    if words == ("account", "show"):
        print(state.get("subscription", "00000000-0000-0000-0000-000000000000"))
        return
    if words == ("identity", "federated-credential", "list"):
        for subject in state.get("credentials", {}).get(one(options, "--identity-name"), []):
            print(subject)
        return
    if words[0] == "containerapp" and words[1:2] != ("env",) and one(options, "-n") != state["app"]:
        fail(f"(ResourceNotFound) container app {one(options, '-n')} not found", 3)
    revisions: dict[str, Any] = state["revisions"]

    if words == ("containerapp", "show"):
        print(state["latest_ready"])
    elif words == ("containerapp", "ingress", "traffic", "show"):
        print(json.dumps(state["traffic"]))
    elif words == ("containerapp", "ingress", "traffic", "set"):
        weights = {}
        for pair in options["--revision-weight"]:
            name, _, weight = pair.partition("=")
            if name not in revisions or not revisions[name]["active"]:
                fail(f"revision {name} not found or inactive", 1)
            weights[name] = int(weight)
        if sum(weights.values()) != 100:
            fail("traffic weights must add up to 100", 1)
        admin(state, "traffic", weights)
        labels = {t.get("revisionName"): t.get("label") for t in state["traffic"]}
        state["traffic"] = [
            {"revisionName": n, "weight": w, **({"label": labels[n]} if labels.get(n) else {})}
            for n, w in weights.items()
        ]
    elif words == ("containerapp", "update"):
        image, suffix = one(options, "--image"), one(options, "--revision-suffix")
        name = f"{state['app']}--{suffix}"
        if name in revisions:
            fail(f"revision {name} already exists", 1)
        if image not in state["images"]:
            fail(f"image {image} not found in registry", 1)
        revisions[name] = {"url": state["images"][image], "active": True, "image": image}
        state["eval_scores"][name] = state["image_eval_scores"].get(image)
        state["latest_ready"] = name
        admin(state, "backends", {name: state["images"][image]})
    elif words == ("containerapp", "revision", "show"):
        revision = revisions.get(one(options, "--revision"))
        if revision is None:
            fail("revision not found", 3)
        health = revision_health(revision["url"]) if revision["active"] else "None"
        print(f"{health}\t{'Running' if revision['active'] else 'Deactivated'}")
    elif words == ("containerapp", "revision", "label", "add"):
        label, name = one(options, "--label"), one(options, "--revision")
        if name not in revisions:
            fail("revision not found", 3)
        state["labels"][label] = name
    elif words == ("containerapp", "revision", "deactivate"):
        name = one(options, "--revision")
        if name not in revisions:
            fail("revision not found", 3)
        revisions[name]["active"] = False
    elif words == ("containerapp", "env", "show"):
        print(state["default_domain"])
    elif words == ("monitor", "app-insights", "query"):
        kql = one(options, "--analytics-query")
        if "period_of" in kql:  # the monitor's query: canned rows per period
            print(json.dumps({"tables": [state["monitor_table"]]}))
        else:
            print(json.dumps(query(state, kql)))
    elif words == ("acr", "build"):
        if "<context>" not in options or not Path(one(options, "--file")).is_file():
            fail("build context or Dockerfile missing", 1)
        state.setdefault("built", []).append(one(options, "--image"))
        # the end of a real quick-build log: the pushed image with its digest
        repository, tag = one(options, "--image").split(":")
        print(f"- image:\n    registry: {one(options, '--registry')}.azurecr.io")
        print(f"    repository: {repository}\n    tag: {tag}\n    digest: sha256:{'ab' * 32}")
        print("Run ID: ca1 was successful after 1s")
    elif words == ("acr", "show"):
        print(f"{one(options, '-n')}.azurecr.io")
    save(state)


if __name__ == "__main__":
    main(sys.argv[1:])
