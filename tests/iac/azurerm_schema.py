"""The argument names of azurerm resources, read from the provider's own Go source.

``python tests/iac/azurerm_schema.py MIRROR TAG TYPE...`` prints, per resource type, the tree of
its schema keys as the source declares them (nested blocks included; a block whose schema comes
from a shared helper function is ``null``: its children are not checked). The committed
``azurerm_schema.json`` is that output for the types the template uses, with its provenance;
test_iac_azurerm_schema.py checks the rendered Terraform against it and, when the mirror of
hashicorp/terraform-provider-azurerm is present, that the file still matches the source.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

_KEY = re.compile(r'^(\t+)"([a-z0-9_]+)":\s*(.*)$')
# every schema map literal: a resource's `Schema: map...{`, a typed resource's Arguments(), and
# helpers returning the resource's map; maps nested inside one already read are skipped
_SCHEMA_START = re.compile(r"map\[string\]\*pluginsdk\.Schema\{")


def git(mirror: Path, *args: str) -> str:
    """stdout of a git command in the mirror ('' when git grep finds nothing)."""
    proc = subprocess.run(
        ["git", "--git-dir", str(mirror), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and args[0] != "grep"):
        raise RuntimeError(f"git {' '.join(args[:3])} failed: {proc.stderr[-300:]}")
    return proc.stdout


def source_file(mirror: Path, tag: str, rtype: str) -> str:
    """The Go file that defines resource ``rtype`` at ``tag``: the function its registration
    names (``"azurerm_x": resourceX(),``), else the typed resource whose ResourceType() is it."""
    registration = git(mirror, "grep", "-h", f'"{rtype}":', tag, "--", "internal/services/")
    for match in re.finditer(rf'"{rtype}":\s*(resource\w*)\(\)', registration):
        if match.group(1).endswith("DataSource"):
            continue  # a data source of the same name (its schema is not the resource's)
        defining = git(mirror, "grep", "-l", f"func {match.group(1)}()", tag, "--", "internal/")
        return defining.splitlines()[0].split(":", 1)[1]
    typed = git(mirror, "grep", "-l", f'return "{rtype}"', tag, "--", "internal/services/")
    for line in typed.splitlines():
        path = line.split(":", 1)[1]
        if path.endswith(("_test.go", "_data_source.go")):
            continue
        source = git(mirror, "show", f"{tag}:{path}")
        if re.search(rf'ResourceType\(\) string \{{\s*return "{rtype}"', source):
            return path
    raise LookupError(f"{rtype}: not registered at {tag}")


def schema_tree(text: str) -> dict[str, Any]:
    """Keys of every schema map in the file, nested by indentation."""
    tree: dict[str, Any] = {}
    covered = -1
    for start in _SCHEMA_START.finditer(text):
        if start.start() < covered:
            continue  # a nested block's schema, already inside the outer map
        body = _balanced(text, start.end() - 1)
        covered = start.end() - 1 + len(body)
        _merge(tree, _keys(body.splitlines()))
    # keys added conditionally, e.g. `schema["parent_id"] = ...` kept until provider 5.0
    added = r'\b(?:schema|Schema)\["([a-z0-9_]+)"\]\s*=\s*(?:&pluginsdk\.Schema|commonschema\.)'
    for key in re.findall(added, text):
        tree.setdefault(key, None)
    return tree


def _balanced(text: str, opening: int) -> str:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[opening : index + 1]
    return text[opening:]


def _keys(lines: list[str]) -> dict[str, Any]:
    entries = [(len(m.group(1)), m.group(2), m.group(3)) for m in map(_KEY.match, lines) if m]
    if not entries:
        return {}
    top = min(depth for depth, _, _ in entries)
    result: dict[str, Any] = {}
    index = 0
    while index < len(entries):
        depth, key, rest = entries[index]
        children = []
        index += 1
        while index < len(entries) and entries[index][0] > depth:
            children.append(entries[index])
            index += 1
        if depth != top:
            continue
        if children:
            result[key] = _keys_of(children)
        else:
            # an inline scalar ({ Type: ... }) has no children; a helper's block is unknown
            result[key] = {} if rest.startswith("{") else None
    return result


def _keys_of(entries: list[tuple[int, str, str]]) -> dict[str, Any]:
    lines = ["\t" * depth + f'"{key}": {rest}' for depth, key, rest in entries]
    return _keys(lines)


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into[key] = value if key not in into or into[key] is None else into[key]


def _base_file(mirror: Path, tag: str, path: str, text: str) -> str | None:
    """The file of ``r.base.arguments(schema)`` when the resource's arguments come from there."""
    if not re.search(r"\br\.\w+\.arguments\(", text):
        return None
    directory = path.rsplit("/", 1)[0] + "/"
    found = git(mirror, "grep", "-l", "-E", r"^func \(\w+ \w+\) arguments\(", tag, "--", directory)
    paths = [line.split(":", 1)[1] for line in found.splitlines()]
    return paths[0] if len(paths) == 1 else None


def extract(mirror: Path, tag: str, types: list[str]) -> dict[str, Any]:
    commit = git(mirror, "rev-list", "-n", "1", tag).strip()
    resources: dict[str, Any] = {}
    files: dict[str, str] = {}
    for rtype in sorted(types):
        path = source_file(mirror, tag, rtype)
        text = git(mirror, "show", f"{tag}:{path}")
        base = _base_file(mirror, tag, path, text)
        if base:  # a typed resource whose Arguments() extends a shared base's
            text += "\n" + git(mirror, "show", f"{tag}:{base}")
            path = f"{path} + {base}"
        files[rtype] = path
        resources[rtype] = schema_tree(text)
    return {
        "provenance": {
            "repository": "hashicorp/terraform-provider-azurerm",
            "tag": tag,
            "commit": commit,
            "files": files,
            "how": "tests/iac/azurerm_schema.py (keys of the schema maps, nested by indentation)",
        },
        "resources": resources,
    }


if __name__ == "__main__":
    print(
        json.dumps(extract(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]), indent=1, sort_keys=True)
    )
