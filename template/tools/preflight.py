"""Static preflight of the infrastructure parameters, before anyone provisions.

Reads the parameter files under infra/ (Bicep ``.bicepparam``, Terraform ``.tfvars`` and azd's
``main.tfvars.json``), fills in the defaults of ``main.bicep`` / ``variables.tf``, and warns about
model deployments that are known not to exist: a model version not offered with that deployment
SKU in that region, or a capacity outside what a subscription can get by default. The knowledge
is a small table next to this file (model_availability.csv); where it has no data, preflight says
so instead of guessing. It needs no network, no Azure login and no packages beyond the stdlib.

Usage: python tools/preflight.py [PARAM_FILE ...] [--warn-only]
Exit codes: 0 no warnings, 1 warnings (0 with --warn-only), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLE = Path(__file__).resolve().parent / "model_availability.csv"
RETIREMENTS = Path(__file__).resolve().parent / "model_retirements.csv"
DEPLOYMENTS = ("chat", "embedding")
UNSET_REGION = "SET-A-SECOND-REGION"


class UsageError(Exception):
    """Bad input: reported as one line, exit code 2."""


@dataclass(frozen=True)
class Offer:
    """What the table knows about one model version under one deployment SKU."""

    available_in: frozenset[str]
    not_available_in: frozenset[str]
    default_quota: int | None


def load_table(path: Path = TABLE) -> dict[tuple[str, str, str], Offer]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    table = {}
    for row in csv.DictReader(lines):
        quota = row["default_quota_k_tpm"].strip()
        table[(row["sku"].lower(), row["model"].lower(), row["version"].lower())] = Offer(
            frozenset(row["available_in"].split()),
            frozenset(row["not_available_in"].split()),
            int(quota) if quota else None,
        )
    return table


@dataclass(frozen=True)
class Lifecycle:
    """What Microsoft says about one model version: its stage and its retirement date."""

    stage: str  # GA, Legacy, Deprecated, Retired, Preview
    retires: datetime.date


#: stages in which a new deployment may be refused (no new customers)
CLOSED_STAGES = ("deprecated", "retired")


def load_retirements(path: Path = RETIREMENTS) -> dict[tuple[str, str], Lifecycle]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return {
        (row["model"].lower(), row["version"].lower()): Lifecycle(
            row["lifecycle"].strip(), datetime.date.fromisoformat(row["retire_not_before"])
        )
        for row in csv.DictReader(lines)
    }


def _replacement(retirements: dict[tuple[str, str], Lifecycle], model: str) -> str:
    """An actionable hint: the GA version of the same size class retiring last, from the table."""
    size = next((s for s in ("nano", "mini") if s in model), "")
    candidates = [
        (life.retires, name, version)
        for (name, version), life in retirements.items()
        if life.stage.lower() == "ga"
        and not name.startswith("text-embedding")
        and (size in name if size else not any(s in name for s in ("nano", "mini")))
    ]
    if not candidates:
        return "pin a newer version (tools/model_retirements.csv)"
    retires, name, version = max(candidates)
    return (
        f"pin a GA version, e.g. {name} {version} (retires {retires}; tools/model_retirements.csv)"
        " in infra/ and APP_CHAT_MODEL"
    )


def check_retirement(
    values: dict[str, object],
    retirements: dict[tuple[str, str], Lifecycle],
    today: datetime.date,
) -> tuple[list[str], list[str]]:
    """A pinned model version that is closed to new deployments, retired, or retiring soon."""
    warnings: list[str] = []
    notes: list[str] = []
    for kind in DEPLOYMENTS:
        model, version = values.get(f"{kind}_model_name"), values.get(f"{kind}_model_version")
        if not isinstance(model, str) or not isinstance(version, str):
            continue
        life = retirements.get((model.lower(), version.lower()))
        label = f"{kind} model {model} {version}"
        if life is None:
            notes.append(f"{label}: no retirement date in tools/model_retirements.csv")
        elif today >= life.retires:
            warnings.append(
                f"{label} retires no earlier than {life.retires}, which has passed: new deployments "
                f"may be refused (ServiceModelDeprecating); {_replacement(retirements, model)}"
            )
        elif life.stage.lower() in CLOSED_STAGES:
            warnings.append(
                f"{label} is {life.stage} (retires {life.retires}): new deployments may be refused "
                f"for new customers; {_replacement(retirements, model)}"
            )
        elif (life.retires - today).days <= 90:
            notes.append(f"{label} retires no earlier than {life.retires}: plan the upgrade")
        elif life.stage.lower() == "legacy":
            notes.append(f"{label} is Legacy (retires {life.retires}): plan the migration")
    return warnings, notes


def snake(name: str) -> str:
    """chatModelName -> chat_model_name, so Bicep and Terraform names compare equal."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def bicep_value(expr: str) -> object:
    """Literal value of a Bicep expression, or None when it is only known at deploy time."""
    expr = expr.split("//", 1)[0].strip()
    env = re.fullmatch(
        r"(?:\w+\()?readEnvironmentVariable\('([^']*)'(?:\s*,\s*'([^']*)')?\)\)?", expr
    )
    if env:
        raw = os.environ.get(env.group(1), env.group(2))
        return None if raw is None else scalar(raw)
    if re.fullmatch(r"'[^']*'", expr):
        return expr[1:-1]
    return scalar(expr) if re.fullmatch(r"-?\d+|true|false", expr) else None


def scalar(raw: str) -> object:
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if raw in ("true", "false"):
        return raw == "true"
    return raw


def hcl_value(expr: str) -> object:
    expr = expr.split("#", 1)[0].strip()
    if re.fullmatch(r'"[^"]*"', expr):
        return expr[1:-1]
    return scalar(expr) if re.fullmatch(r"-?\d+(?:\.\d+)?|true|false", expr) else None


def bicep_defaults(template: Path) -> dict[str, object]:
    text = template.read_text(encoding="utf-8")
    found = re.findall(r"^param\s+(\w+)\s+\w+\s*=\s*(.+)$", text, re.MULTILINE)
    return {snake(name): bicep_value(expr) for name, expr in found}


def terraform_defaults(variables: Path) -> dict[str, object]:
    values: dict[str, object] = {}
    text = variables.read_text(encoding="utf-8")
    for name, body in re.findall(r'variable\s+"(\w+)"\s*\{(.*?)\n\}', text, re.DOTALL):
        default = re.search(r"^\s*default\s*=\s*(.+)$", body, re.MULTILINE)
        values[name] = hcl_value(default.group(1)) if default else None
    return values


def read_parameters(path: Path) -> dict[str, object]:
    """Values of one parameter file over the template's defaults."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".bicepparam":
        using = re.search(r"^using\s+'([^']+)'", text, re.MULTILINE)
        if not using:
            raise UsageError(f"{path}: no `using '<template>.bicep'` line")
        values = bicep_defaults((path.parent / using.group(1)).resolve())
        for name, expr in re.findall(r"^param\s+(\w+)\s*=\s*(.+)$", text, re.MULTILINE):
            values[snake(name)] = bicep_value(expr)
        return values
    variables = next(
        (
            d / "variables.tf"
            for d in (path.parent, path.parent.parent)
            if (d / "variables.tf").is_file()
        ),
        None,
    )
    if variables is None:
        raise UsageError(f"{path}: no variables.tf next to it or one level up")
    values = terraform_defaults(variables)
    if path.name.endswith(".tfvars.json"):
        for name, raw in json.loads(text).items():
            values[name] = azd_value(raw) if isinstance(raw, str) else raw
    else:
        for name, expr in re.findall(r"^\s*(\w+)\s*=\s*(.+)$", text, re.MULTILINE):
            values[name] = hcl_value(expr)
    return values


def azd_value(raw: str) -> object:
    """azd substitutes ${VAR} and ${VAR=default} from the environment."""
    ref = re.fullmatch(r"\$\{(\w+)(?:=([^}]*))?\}", raw)
    if not ref:
        return raw
    value = os.environ.get(ref.group(1), ref.group(2))
    return None if value is None else scalar(value)


def check(
    values: dict[str, object], table: dict[tuple[str, str, str], Offer]
) -> tuple[list[str], list[str]]:
    """(warnings, notes): warnings are combinations known not to exist, notes are gaps in the data."""
    warnings: list[str] = []
    notes: list[str] = []
    region = values.get("location")
    if not isinstance(region, str):
        return warnings, ["location is only known at deploy time; nothing to check"]
    region = region.lower()
    for kind in DEPLOYMENTS:
        model = values.get(f"{kind}_model_name")
        version = values.get(f"{kind}_model_version")
        sku = values.get(f"{kind}_deployment_sku")
        capacity = values.get(f"{kind}_deployment_capacity")
        label = f"{kind} deployment {model} {version} ({sku})"
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            warnings.append(
                f"{label}: capacity {capacity!r} must be a whole number >= 1 (units of 1,000 tokens per minute)"
            )
        if None in (model, version, sku):
            notes.append(f"{kind} deployment: model, version or SKU only known at deploy time")
            continue
        offer = table.get((str(sku).lower(), str(model).lower(), str(version).lower()))
        if offer is None:
            notes.append(
                f"{label}: not in tools/model_availability.csv; check `az cognitiveservices model list --location {region}`"
            )
            continue
        if region in offer.not_available_in:
            where = ", ".join(sorted(offer.available_in)[:6])
            warnings.append(f"{label} is not offered in {region}; it is in e.g. {where}")
        elif region not in offer.available_in:
            notes.append(f"{label}: no data for region {region} in tools/model_availability.csv")
        if offer.default_quota and isinstance(capacity, int) and capacity > offer.default_quota:
            warnings.append(
                f"{label}: capacity {capacity} exceeds the default quota of {offer.default_quota} (thousand tokens per minute); request a quota increase first"
            )
    replica = values.get("registry_replica_location")
    if "registry_replica_location" in values and replica is not None:
        if replica in ("", UNSET_REGION):
            warnings.append(
                "registry_replica_location is not set; choose a second region for the registry's geo-replica"
            )
        elif str(replica).lower() == region:
            warnings.append(f"registry_replica_location must differ from location ({region})")
    return warnings, notes


def default_files(infra: Path) -> list[Path]:
    patterns = (
        "main.bicepparam",
        "env/*.bicepparam",
        "main.tfvars.json",
        "env/*.tfvars",
    )
    return sorted({p for pattern in patterns for p in infra.glob(pattern)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="parameter files (default: infra/main.* and infra/env/*)",
    )
    parser.add_argument(
        "--warn-only", action="store_true", help="exit 0 even when there are warnings"
    )
    parser.add_argument(
        "--today",
        type=datetime.date.fromisoformat,
        default=datetime.date.today(),
        help="the date retirements are checked against (YYYY-MM-DD; default: today)",
    )
    args = parser.parse_args(argv)
    try:
        files = args.files or default_files(REPO / "infra")
        if not files:
            raise UsageError("no parameter files found under infra/")
        table = load_table()
        retirements = load_retirements()
        total = 0
        for path in files:
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
            if not (
                path.suffix in (".bicepparam", ".tfvars") or path.name.endswith(".tfvars.json")
            ):
                raise UsageError(f"{path}: expected a .bicepparam, .tfvars or .tfvars.json file")
            values = read_parameters(path)
            warnings, notes = check(values, table)
            retiring, retire_notes = check_retirement(values, retirements, args.today)
            warnings += retiring
            notes += retire_notes
            shown = os.path.relpath(path)
            for message in warnings:
                print(f"{shown}: warning: {message}")
            for message in notes:
                print(f"{shown}: note: {message}")
            total += len(warnings)
    except (UsageError, OSError, ValueError) as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
    print(f"preflight: {len(files)} file(s), {total} warning(s)")
    return 1 if total and not args.warn_only else 0


if __name__ == "__main__":
    sys.exit(main())
