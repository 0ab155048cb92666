"""Build fixture repositories whose evidence reaches a chosen level per dimension.

``build(root, {"evaluation": 3, ...})`` writes a small, realistic workload repository: each
dimension's files for levels 1..N (one module per dimension, laid out as the probes are),
composed into shared files (Makefile fragments, CI, deploy, monitor workflows). Dimensions not
named get ``default`` (4 unless told otherwise).
"""

from __future__ import annotations

from pathlib import Path

from assess_builder import (
    app,
    data,
    delivery,
    engineering,
    evaluation,
    infra,
    monitoring,
    prompts,
    safety,
    workflows,
)
from assess_builder.common import DIMS, SHA, TOPICS, Fragments, Levels, records, write

__all__ = ["DIMS", "SHA", "TOPICS", "build", "records", "write"]


def build(root: Path, levels: dict[str, int] | None = None, default: int = 4) -> Path:
    lv: Levels = {d: default for d in DIMS}
    lv.update(levels or {})
    root.mkdir(parents=True, exist_ok=True)
    mk: Fragments = {"app": [], "eval": [], "deploy": [], "infra": [], "data": []}
    # this order keeps the targets of each mk/*.mk fragment in a stable order
    app.add(root, lv, mk)
    monitoring.add(root, lv, mk)
    safety.add(root, lv, mk)
    prompts.add(root, lv, mk)
    data.add(root, lv, mk)
    evaluation.add(root, lv, mk)
    prompts.add_compare(root, lv, mk)
    monitoring.add_monitor(root, lv, mk)
    engineering.add(root, lv, mk)
    infra.add(root, lv, mk)
    safety.add_redteam(root, lv, mk)
    delivery.add(root, lv, mk)
    write(
        root,
        "Makefile",
        "SHELL := /bin/bash\nUV ?= uv\n\n.PHONY: install\ninstall: ## sync\n\t$(UV) sync\n\n"
        "include $(sort $(wildcard mk/*.mk))\n",
    )
    for name, parts in mk.items():
        if parts:
            write(root, f"mk/{name}.mk", "\n".join(parts))
    workflows.add(root, lv, mk)
    return root
