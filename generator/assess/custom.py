"""Run the declarative custom probes of ``.genaiops/assess.yml`` over the collected facts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from generator.assess.findings import Finding
from generator.assess.probes._util import fail, ok, run_ok

if TYPE_CHECKING:
    from generator.assess.config import CustomProbe
    from generator.assess.facts import Facts


def run_custom(facts: Facts, probe: CustomProbe) -> list[Finding]:
    pid, spec = probe.definition.id, probe.spec
    repo = facts.repo
    if probe.kind == "file_exists":
        files = [
            p
            for p in repo.glob(str(spec["path"]))
            if (repo.text(p) or "").strip() or repo.size(p) > 0
        ]
        if files:
            return [ok(pid, f"{files[0]} exists and is not empty", files[0])]
        return [fail(pid, f"no non-empty file matches {spec['path']}")]
    if probe.kind == "file_contains":
        rx = re.compile(str(spec["pattern"]), re.M)
        files = repo.glob(str(spec["path"]))
        hits = repo.grep(rx, files, first_only=True)
        if hits:
            return [ok(pid, f"`{hits[0].snippet[:80]}`", hits[0].path, hits[0].line)]
        return [
            fail(
                pid,
                f"no file matching {spec['path']} contains /{spec['pattern']}/",
                files[0] if files else None,
            )
        ]
    if probe.kind in ("yaml_key", "json_key"):
        return _key(facts, pid, probe.kind, spec)
    events = spec.get("events")
    rx = re.compile(str(spec["pattern"]))
    runs = list(
        facts.workflows.select(
            lambda lf: any(rx.search(n) for n in lf.names()),
            set(map(str, events)) if isinstance(events, list) else None,
        )
    )
    need_gate = spec.get("gate", True) is not False
    good = [r for r in runs if r.gate or not need_gate]
    if good:
        return [run_ok(pid, "workflow runs it", good[0])]
    if runs:
        return [
            fail(
                pid,
                f"runs but cannot fail: {runs[0].why_not}",
                runs[0].workflow.path,
                runs[0].step.line,
            )
        ]
    return [fail(pid, f"no workflow step runs a command matching /{spec['pattern']}/")]


def _key(facts: Facts, pid: str, kind: str, spec: dict[str, Any]) -> list[Finding]:
    rel = str(spec["path"])
    if not facts.repo.exists(rel):
        return [fail(pid, f"{rel} does not exist")]
    data = facts.repo.json(rel) if kind == "json_key" else facts.repo.yaml(rel)
    node: Any = data
    for part in str(spec["key"]).split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return [fail(pid, f"{rel} has no key `{spec['key']}`", rel)]
    if node in (None, "", [], {}):
        return [fail(pid, f"`{spec['key']}` in {rel} is empty", rel)]
    if "equals" in spec and node != spec["equals"]:
        return [fail(pid, f"`{spec['key']}` is {node!r}, expected {spec['equals']!r}", rel)]
    if "matches" in spec and not re.search(str(spec["matches"]), str(node)):
        return [fail(pid, f"`{spec['key']}` = {node!r} does not match /{spec['matches']}/", rel)]
    if "min" in spec:
        try:
            if float(node) < float(spec["min"]):
                return [fail(pid, f"`{spec['key']}` = {node} is below {spec['min']}", rel)]
        except (TypeError, ValueError):
            return [fail(pid, f"`{spec['key']}` = {node!r} is not a number", rel)]
    return [ok(pid, f"`{spec['key']}` = {str(node)[:60]}", rel)]
