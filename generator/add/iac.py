"""``genaiops add iac``: genaiops's infrastructure, only where the repository has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.add.plan import Plan

if TYPE_CHECKING:
    from generator.add.repo import RepoView


def plan(view: RepoView) -> Plan:
    result = Plan("iac")
    inv = view.inventory
    if inv.iac:
        files = [f for v in inv.iac.values() for f in v]
        kinds = ", ".join(sorted(inv.iac))
        result.add("skip", "infrastructure as code", f"{kinds} exists ({', '.join(files[:3])})")
        result.refuse(
            f"the repository has infrastructure as code of its own ({kinds}: {len(files)} "
            f"file(s), e.g. {files[0]}); genaiops adds IaC only where none exists. "
            "`genaiops assess` reports on the IaC you have (its infra.* findings: parameters "
            "per environment, pinned model versions, identities, scanning)"
        )
        return result
    result.add("add", "infrastructure as code", "Azure resources of a genaiops workload", "infra/")
    result.add(
        "add", "make iac-scan, make preflight", "checkov and the region check", "mk/infra.mk"
    )
    result.add(
        "skip",
        "azure.yaml (azd)",
        "its hooks run the delivery code of a generated repository (deploy/azure_setup.py, "
        "`make eval` before a deploy); provision infra/ with `az deployment group create` or an "
        "azure.yaml of your own (docs/infra.md)",
    )
    result.answers["adapt"] = {"makefile": "existing" if view.makefile else "created"}
    return result
