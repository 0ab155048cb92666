"""``.genaiops/assess.yml``: maintainer annotations and custom declarative probes.

Annotations need a status from a fixed set and a written reason; they are shown in every report
and the level they lift is always reported next to the level evidenced without them. Custom
probes can only add requirements (a custom required probe that fails lowers a level).
Mistakes in the file become notes in the report, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.assess.datasets import PLACEHOLDER
from generator.assess.model import ModelError, ProbeDef, probe_from_mapping

if TYPE_CHECKING:
    from generator.assess.collect import Repo
    from generator.assess.model import Model

CONFIG_PATHS = (".genaiops/assess.yml", ".genaiops/assess.yaml")
STATUSES = ("not-applicable", "not-detected", "remediated")
CHECK_KINDS = ("file_exists", "file_contains", "yaml_key", "json_key", "workflow_runs")


@dataclass(frozen=True)
class Annotation:
    status: str
    reason: str
    probe: str | None = None
    dimension: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class CustomProbe:
    definition: ProbeDef
    kind: str
    spec: dict[str, Any]


@dataclass
class AssessConfig:
    path: str | None = None
    annotations: list[Annotation] = field(default_factory=list)
    custom: list[CustomProbe] = field(default_factory=list)


def load_config(repo: Repo, model: Model) -> AssessConfig:
    rel = next((p for p in CONFIG_PATHS if repo.exists(p)), None)
    cfg = AssessConfig(path=rel)
    if rel is None:
        return cfg
    data = repo.yaml(rel, lines=True)
    if data is None:
        return cfg
    if not isinstance(data, dict):
        repo.note(
            "config-error", rel, "expected a mapping with `annotations:` and/or `custom_probes:`"
        )
        return cfg
    unknown = set(map(str, data)) - {"annotations", "custom_probes", "version"}
    if unknown:
        repo.note("config-error", rel, f"unknown key(s): {', '.join(sorted(unknown))}")
    dims = {d.id for d in model.dimensions}
    for item in _items(repo, rel, data, "custom_probes"):
        custom = _custom(repo, rel, item, dims, model)
        if custom is not None:
            cfg.custom.append(custom)
    known = set(model.by_id) | {c.definition.id for c in cfg.custom}
    for item in _items(repo, rel, data, "annotations"):
        ann = _annotation(repo, rel, item, known, dims)
        if ann is not None:
            cfg.annotations.append(ann)
    return cfg


def _items(repo: Repo, rel: str, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    raw = data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        repo.note("config-error", rel, f"`{key}` must be a list")
        return []
    out = []
    for item in raw:
        if isinstance(item, dict):
            out.append(item)
        else:
            repo.note(
                "config-error", rel, f"`{key}` entries must be mappings (got {type(item).__name__})"
            )
    return out


def _line(item: Any) -> int | None:
    lc = getattr(item, "lc", None)
    return int(lc.line) + 1 if lc is not None else None


def _annotation(
    repo: Repo, rel: str, item: dict[str, Any], probes: set[str], dims: set[str]
) -> Annotation | None:
    line = _line(item)
    probe, dim = item.get("probe"), item.get("dimension")
    status, reason = str(item.get("status", "")), str(item.get("reason") or "").strip()
    where = f"annotation at line {line}" if line else "annotation"

    error = None
    if bool(probe) == bool(dim):
        error = "name exactly one of `probe:` or `dimension:`"
    elif probe and str(probe) not in probes:
        error = f"unknown probe `{probe}`"
    elif dim and str(dim) not in dims:
        error = f"unknown dimension `{dim}`"
    elif status not in STATUSES:
        error = f"status must be one of {', '.join(STATUSES)}"
    elif len(reason) < 8 or PLACEHOLDER.match(reason):
        error = "a written `reason:` (at least 8 characters) is required"
    if error:
        repo.note("config-error", rel, f"{where} ignored: {error}", line)
        return None
    return Annotation(
        status, reason, str(probe) if probe else None, str(dim) if dim else None, line
    )


def _custom(
    repo: Repo, rel: str, item: dict[str, Any], dims: set[str], model: Model
) -> CustomProbe | None:
    line = _line(item)
    pid = str(item.get("id", ""))
    where = f"custom probe `{pid or '?'}` (line {line})"
    if not re.fullmatch(r"custom\.[A-Za-z0-9_.-]+", pid):
        repo.note("config-error", rel, f"{where} ignored: id must look like `custom.<name>`", line)
        return None
    if pid in model.by_id:
        repo.note("config-error", rel, f"{where} ignored: duplicate id", line)
        return None
    dim = str(item.get("dimension", ""))
    if dim not in dims:
        repo.note(
            "config-error",
            rel,
            f"{where} ignored: dimension must be one of {', '.join(sorted(dims))}",
            line,
        )
        return None
    check = item.get("check")
    kinds = [k for k in CHECK_KINDS if isinstance(check, dict) and k in check]
    if len(kinds) != 1:
        repo.note(
            "config-error",
            rel,
            f"{where} ignored: `check:` needs exactly one of {', '.join(CHECK_KINDS)}",
            line,
        )
        return None
    kind = kinds[0]
    spec = check[kind] if isinstance(check, dict) else None
    if isinstance(spec, str):
        spec = {"path": spec} if kind != "workflow_runs" else {"pattern": spec}
    if not isinstance(spec, dict):
        repo.note(
            "config-error", rel, f"{where} ignored: `{kind}` must be a path or a mapping", line
        )
        return None
    spec = {str(k): v for k, v in spec.items()}
    needs = {
        "file_exists": ("path",),
        "file_contains": ("path", "pattern"),
        "yaml_key": ("path", "key"),
        "json_key": ("path", "key"),
        "workflow_runs": ("pattern",),
    }[kind]
    missing = [k for k in needs if not spec.get(k)]
    if missing:
        repo.note(
            "config-error", rel, f"{where} ignored: `{kind}` needs {', '.join(missing)}", line
        )
        return None
    for key in ("pattern", "matches"):
        if key in spec:
            try:
                re.compile(str(spec[key]))
            except re.error as exc:
                repo.note(
                    "config-error", rel, f"{where} ignored: bad regex `{spec[key]}`: {exc}", line
                )
                return None
    raw = {
        "id": pid,
        "level": item.get("level", 1),
        "question": item.get("question") or f"Custom check {pid}",
        "motivation": item.get("motivation") or "Declared by the repository's maintainers.",
        "detection": item.get("detection") or f"{kind}: {dict(spec)}",
        "remediation": item.get("remediation") or "See the repository's .genaiops/assess.yml.",
        "effort": item.get("effort", "low"),
        "required": item.get("required", False),
    }
    try:
        definition = probe_from_mapping(raw, dim, custom=True)
    except ModelError as exc:
        repo.note("config-error", rel, f"{where} ignored: {exc}", line)
        return None
    return CustomProbe(definition, kind, spec)
