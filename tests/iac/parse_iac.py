"""Parse a generated infra/ directory with checkov's own parsers; print its resources as JSON.

Runs with the python of the checkov environment (pycep for Bicep, bc-python-hcl2 for Terraform
live there, not in the genaiops environment):  <checkov-venv>/bin/python parse_iac.py INFRA_DIR...
Output, per INFRA_DIR given: {"resources": [{"file", "type", "name", "existing", "config", "loop"}],
"modules": [...], "variables": {file: {name: value}}, "outputs": [names], "params": {file: {name:
default}}, "locals": {name: value}} (modules and variables: Bicep; locals: Terraform; params:
Bicep parameters, or Terraform variables, with their defaults).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def bicep(infra: Path) -> dict[str, list[dict[str, object]]]:
    from pycep import BicepParser

    resources, modules, variables, params = [], [], {}, {}
    outputs: list[str] = []
    parser = BicepParser()  # building the grammar is the slow part: once per process
    for path in sorted(infra.rglob("*.bicep")):
        parsed = parser.parse(file_path=path)
        rel = path.relative_to(infra).as_posix()
        for name, resource in (parsed.get("resources") or {}).items():
            config = resource["config"]
            loop = None
            while isinstance(config, dict) and ("loop_type" in config or "condition" in config):
                loop = loop or (config.get("loop_type") or {}).get("detail")
                config = config["config"]  # unwrap `[for ...]` and `if (...)` resources
            resources.append(
                {
                    "file": rel,
                    "type": resource["type"],
                    "name": name,
                    "existing": resource.get("existing", False),
                    "config": config,
                    "loop": loop,
                }
            )
        for name, module in (parsed.get("modules") or {}).items():
            modules.append(
                {
                    "file": rel,
                    "name": name,
                    "path": (module.get("detail") or {}).get("path"),
                    "config": module.get("config"),
                }
            )
        variables[rel] = {
            name: var.get("value") for name, var in (parsed.get("variables") or {}).items()
        }
        params[rel] = {
            name: param.get("default") for name, param in (parsed.get("parameters") or {}).items()
        }
        if rel == "main.bicep":
            outputs = sorted(parsed.get("outputs") or {})
    return {
        "resources": resources,
        "modules": modules,
        "variables": variables,
        "params": params,
        "outputs": outputs,
    }


def terraform(infra: Path) -> dict[str, list[dict[str, object]]]:
    import hcl2

    resources = []
    outputs: list[str] = []
    local_values: dict[str, object] = {}
    defaults: dict[str, dict[str, object]] = {}
    for path in sorted(infra.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            parsed = hcl2.load(handle)
        for block in parsed.get("resource", []):
            for rtype, named in block.items():
                for name, config in named.items():
                    resources.append(
                        {
                            "file": path.name,
                            "type": rtype,
                            "name": name,
                            "existing": False,
                            "config": config,
                            "loop": None,
                        }
                    )
        for block in parsed.get("output", []):
            outputs.extend(block)
        for block in parsed.get("locals", []):
            local_values.update(block)
        for block in parsed.get("variable", []):
            for name, config in block.items():
                defaults.setdefault(path.name, {})[name] = config.get("default")
    return {
        "resources": resources,
        "modules": [],
        "variables": {},
        "params": defaults,
        "outputs": sorted(outputs),
        "locals": local_values,
    }


def main() -> None:
    results = {}
    for arg in sys.argv[1:]:
        infra = Path(arg)
        results[arg] = bicep(infra) if (infra / "main.bicep").is_file() else terraform(infra)
    json.dump(results, sys.stdout, default=str)


if __name__ == "__main__":
    main()
