"""The harness's own environment in a repository genaiops did not generate: eval/requirements.txt
pins exactly the template's `eval` dependency group (tools/lock_add_eval.py makes it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from generator.assess.inventory import normalise

ROOT = Path(__file__).resolve().parents[2]
PINS = ROOT / "template" / "{% if capability != 'app' %}eval{% endif %}" / "requirements.txt"


def test_every_eval_group_package_is_pinned_for_every_platform() -> None:
    text = re.sub(r"\{\{.*?\}\}", "x", (ROOT / "template/pyproject.toml.jinja").read_text())
    group = tomllib.loads(text)["dependency-groups"]["eval"]
    wanted = {normalise(re.match(r"[A-Za-z0-9._-]+", g).group(0)) for g in group}  # type: ignore[union-attr]
    lines = [ln for ln in PINS.read_text().splitlines() if ln and not ln.startswith("#")]
    pinned = {normalise(ln.split("==")[0]) for ln in lines}
    assert all("==" in ln for ln in lines), "every requirement is pinned"
    missing = wanted - pinned
    assert not missing, f"run python tools/lock_add_eval.py: {sorted(missing)} not pinned"
