"""Read Azure Pipelines the way the tests need them: every step of a pipeline with its local
templates expanded and ``${{ parameters.x }}`` substituted, and the commands it runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

# each GitHub workflow and the pipelines that do its work (the real-model jobs need Azure,
# so they are a pipeline of their own: CI runs with no Azure at all)
WORKFLOWS = {
    "ci": ("ci", "eval-real"),
    "deploy": ("deploy",),
    "monitor": ("monitor",),
    "refresh-index": ("refresh-index",),
    "template-update": ("template-update",),
    "prompt-compare": ("prompt-compare", "eval-real"),
    "redteam": ("redteam",),
    "infra-preview": ("infra-preview",),
}
NAMES = tuple(dict.fromkeys(p for group in WORKFLOWS.values() for p in group))
AZURE_REPOS_ONLY = ("dependencies",)  # Renovate, where GitHub has Dependabot
SUFFIX = ".azure-pipelines.yml"
_PARAM = re.compile(r"\$\{\{\s*parameters\.(\w+)\s*\}\}")


def load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


@dataclass(frozen=True)
class Step:
    pipeline: str
    job: str  # stage.job
    raw: dict[str, Any]

    @property
    def script(self) -> str:
        if "bash" in self.raw:
            return str(self.raw["bash"])
        if "script" in self.raw:
            return str(self.raw["script"])
        inputs = self.raw.get("inputs") or {}
        return str(inputs.get("inlineScript", ""))


def _substitute(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _PARAM.fullmatch(value.strip())
        if whole and whole.group(1) in params:
            return params[whole.group(1)]  # keeps objects (env maps) and numbers whole
        return _PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), value)
    if isinstance(value, dict):
        return {k: _substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params) for v in value]
    return value


def _template(base: Path, item: dict[str, Any], params: dict[str, Any]) -> tuple[Path, Any]:
    path = (base / str(item["template"])).resolve()
    body = load(path)
    values = {
        p["name"]: p.get("default") for p in body.get("parameters", []) if isinstance(p, dict)
    }
    values.update(_substitute(item.get("parameters") or {}, params))
    missing = [name for name, value in values.items() if value is None]
    assert not missing, f"{path.name}: no value for parameters {missing}"
    return path, _substitute({k: v for k, v in body.items() if k != "parameters"}, values)


def _expand(
    base: Path, items: list[Any], key: str, params: dict[str, Any]
) -> list[tuple[Path, Any]]:
    """Items with their local templates expanded, each with the directory its own template
    references are relative to (the file that contains them, as in Azure Pipelines)."""
    out: list[tuple[Path, Any]] = []
    for item in items:
        if isinstance(item, dict) and "template" in item and len(item) <= 2:
            path, body = _template(base, item, params)
            out.extend(_expand(path.parent, body[key], key, {}))
        else:
            out.append((base, _substitute(item, params)))
    return out


def _jobs(path: Path) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    raw = load(path)
    stages = _expand(path.parent, raw["stages"], "stages", {}) if "stages" in raw else None
    for base, stage in stages or [(path.parent, raw)]:
        for job_base, job in _expand(base, stage.get("jobs", []), "jobs", {}):
            name = f"{stage.get('stage', '')}.{job.get('job') or job.get('deployment')}"
            yield job_base, name, job


def steps(path: Path) -> Iterator[Step]:
    """Every step of the pipeline at ``path``, templates expanded."""
    for base, name, job in _jobs(path):
        listed = job.get("steps") or []
        strategy = (job.get("strategy") or {}).get("runOnce") or {}
        for hook in ("preDeploy", "deploy", "routeTraffic", "postRouteTraffic"):
            listed = listed + ((strategy.get(hook) or {}).get("steps") or [])
        for _, step in _expand(base, listed, "steps", {}):
            yield Step(path.name, name, step)


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return {name: job for _, name, job in _jobs(path)}


def make_commands(script: str) -> list[str]:
    """The ``make ...`` command lines of a script, continuation lines joined."""
    joined = script.replace("\\\n", " ")
    return [" ".join(line.split()) for line in joined.splitlines() if re.match(r"^\s*make\s", line)]
