"""The maturity model loaded from ``maturity/`` (dimensions, level names, probe metadata)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

EFFORTS = ("low", "medium", "high")
# what `genaiops add CAPABILITY` can bring into a repository (the template's capabilities)
CAPABILITIES = ("workflows", "iac", "eval", "pre-commit")


@dataclass(frozen=True)
class ProbeDef:
    """One yes/no question, as written in ``maturity/probes/<dimension>.yml``."""

    id: str
    dimension: str
    level: int
    question: str
    motivation: str
    detection: str
    remediation: str
    effort: str
    required: bool = True
    fix: str | None = None
    custom: bool = False
    evidence: bool = True  # False: passing shows an absence (no secrets), not a practice
    key: bool = False  # True: never tolerated as a gap (the ladder stops where it fails)
    add: str | None = None  # the capability `genaiops add` brings that fixes this probe

    @property
    def add_command(self) -> str | None:
        return f"genaiops add {self.add}" if self.add else None

    @property
    def remediation_text(self) -> str:
        """The remediation, naming the `genaiops add` command where one fixes it."""
        if not self.add:
            return self.remediation
        return f"{self.remediation} `{self.add_command}` brings this into the repository."


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    weight: float
    description: str
    applicability: str | None = None


@dataclass(frozen=True)
class Model:
    version: int
    level_names: dict[int, str]
    dimensions: tuple[Dimension, ...]
    probes: tuple[ProbeDef, ...]
    by_id: dict[str, ProbeDef] = field(default_factory=dict)

    def dimension(self, dim_id: str) -> Dimension:
        for dim in self.dimensions:
            if dim.id == dim_id:
                return dim
        raise KeyError(dim_id)

    def probes_of(self, dim_id: str) -> list[ProbeDef]:
        return [p for p in self.probes if p.dimension == dim_id]

    def with_probes(self, extra: list[ProbeDef]) -> Model:
        probes = self.probes + tuple(extra)
        return Model(
            self.version, self.level_names, self.dimensions, probes, {p.id: p for p in probes}
        )


class ModelError(ValueError):
    """The model files are inconsistent (a packaging bug, never user input)."""


def _load_yaml(path: Path) -> Any:
    from generator import safe_yaml

    return safe_yaml.load(path.read_text(encoding="utf-8"))


def probe_from_mapping(raw: dict[str, Any], dimension: str, *, custom: bool = False) -> ProbeDef:
    """Validate one probe entry; raises ModelError with the field at fault."""
    try:
        pid = str(raw["id"])
        level = int(raw["level"])
        texts = {
            k: str(raw[k]).strip() for k in ("question", "motivation", "detection", "remediation")
        }
    except KeyError as exc:
        raise ModelError(f"probe {raw.get('id', '?')}: missing field {exc.args[0]}") from None
    except (TypeError, ValueError):
        raise ModelError(f"probe {raw.get('id', '?')}: level must be an integer") from None
    if level not in (1, 2, 3, 4):
        raise ModelError(f"probe {pid}: level must be 1-4, got {level}")
    effort = str(raw.get("effort", "medium"))
    if effort not in EFFORTS:
        raise ModelError(f"probe {pid}: effort must be one of {', '.join(EFFORTS)}")
    fix = raw.get("fix")
    add = raw.get("add")
    if add is not None and add not in CAPABILITIES:
        raise ModelError(f"probe {pid}: add must be one of {', '.join(CAPABILITIES)}")
    return ProbeDef(
        id=pid,
        dimension=dimension,
        level=level,
        effort=effort,
        required=bool(raw.get("required", True)),
        fix=str(fix) if fix else None,
        custom=custom,
        evidence=bool(raw.get("evidence", True)),
        key=bool(raw.get("key", False)),
        add=str(add) if add else None,
        **texts,
    )


def load_model(directory: Path | None = None) -> Model:
    """Read ``model.yml`` and every ``probes/*.yml``; ids must be unique."""
    if directory is None:
        from generator.resources import maturity_dir

        directory = maturity_dir()
    return _load_cached(str(directory))


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> Model:
    root = Path(directory)
    meta = _load_yaml(root / "model.yml")
    names = {int(item["level"]): str(item["name"]) for item in meta["levels"]}
    dims = tuple(
        Dimension(
            id=str(d["id"]),
            name=str(d["name"]),
            weight=float(d["weight"]),
            description=" ".join(str(d["description"]).split()),
            applicability=" ".join(str(d["applicability"]).split())
            if d.get("applicability")
            else None,
        )
        for d in meta["dimensions"]
    )
    dim_ids = {d.id for d in dims}
    probes: list[ProbeDef] = []
    for path in sorted((root / "probes").glob("*.yml")):
        doc = _load_yaml(path)
        dim = str(doc["dimension"])
        if dim not in dim_ids:
            raise ModelError(f"{path.name}: unknown dimension {dim}")
        probes.extend(probe_from_mapping(raw, dim) for raw in doc["probes"])
    by_id: dict[str, ProbeDef] = {}
    for probe in probes:
        if probe.id in by_id:
            raise ModelError(f"duplicate probe id {probe.id}")
        by_id[probe.id] = probe
    return Model(int(meta["model_version"]), names, dims, tuple(probes), by_id)
