"""Hatch build hook: ship the template's release history as a git bundle.

``genaiops update`` needs the template version a project was made from, not only the newest,
and must work offline. The wheel therefore carries ``generator/_data/template.bundle``: one
commit per release tag of this repository plus the working tree as the current version (see
``generator/bundle.py``), and ``template.json`` listing them.

From a git checkout the bundle is built here. An sdist carries the bundle it was built with
(``_bundle/``), so a wheel built from the sdist, without ``.git``, still has the history.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SDIST_DIR = "_bundle"


def _load_builder(root: Path) -> Any:
    path = root / "generator" / "bundle.py"
    spec = importlib.util.spec_from_file_location("_genaiops_bundle_builder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _version(root: Path) -> str:
    text = (root / "generator" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise RuntimeError("generator/__init__.py has no __version__")
    return match.group(1)


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc,type-arg,unused-ignore]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out_dir = Path(tempfile.mkdtemp(prefix="genaiops-bundle-"))
        self._scratch = out_dir
        bundle = out_dir / "template.bundle"
        shipped = root / SDIST_DIR / "template.bundle"
        builder = _load_builder(root)
        if builder.is_git_checkout(root) or not shipped.is_file():
            builder.build_from_checkout(root, _version(root), bundle)
        else:
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(shipped, bundle)
            shutil.copy2(shipped.with_suffix(".json"), bundle.with_suffix(".json"))
        dest = "generator/_data" if self.target_name == "wheel" else SDIST_DIR
        build_data.setdefault("force_include", {})
        build_data["force_include"][str(bundle)] = f"{dest}/template.bundle"
        build_data["force_include"][str(bundle.with_suffix(".json"))] = f"{dest}/template.json"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
