"""Shared by the tests of tests/iac: the answer matrix, rendering, checkov and the IaC parser."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import warnings
from itertools import product
from pathlib import Path
from typing import Any

from genrepo import USE_CASES

HERE = Path(__file__).resolve().parent

# Every flavour x profile, the gateway at least once per flavour.
MATRIX: dict[str, dict[str, str]] = {
    "bicep-dev": {"iac": "bicep", "iac_profile": "dev", "gateway": "none"},
    "bicep-prod": {"iac": "bicep", "iac_profile": "prod", "gateway": "apim"},
    "terraform-dev": {"iac": "terraform", "iac_profile": "dev", "gateway": "apim"},
    "terraform-prod": {"iac": "terraform", "iac_profile": "prod", "gateway": "none"},
}

# Skips a prod rendering may carry (each with its reason in the IaC). Adding one is a decision.
PROD_SKIPS_ALLOWED = {
    "CKV_AZURE_166",  # registry quarantine would block every pull without an external scanner
    "CKV_AZURE_43",  # Bicep: checkov cannot evaluate the interpolated storage account name
    "CKV_AZURE_33",  # Terraform: queue logging needs the disabled shared key; no queues are used
    "CKV2_AZURE_1",  # Terraform: storage CMK
    "CKV2_AZURE_22",  # Terraform: Azure OpenAI CMK
    "CKV2_AZURE_21",  # Terraform: blob logging through a diagnostic setting, not storage insights
    "CKV2_AZURE_20",  # Terraform: table logging through a diagnostic setting, likewise
}

# Every option combination the contract tests cover (tests/iac/test_iac_contract.py).
FULL_MATRIX: dict[str, dict[str, str]] = {
    f"{iac}-{profile}-{gateway}-{use_case}": {
        "iac": iac,
        "iac_profile": profile,
        "gateway": gateway,
        "use_case": use_case,
    }
    for iac, profile, gateway, use_case in product(
        ("bicep", "terraform"),
        ("dev", "prod"),
        ("none", "apim"),
        USE_CASES,  # every entry of use_cases.yml
    )
}

# What the contract reads from a rendering: the IaC, the contract module, the app's settings.
CONTRACT_PATHS = (
    "infra/",
    "deploy/contract.py",
    # the alert and workbook KQL (infra/monitoring/*.kql is deploy/queries.py SIGNALS)
    "deploy/queries.py",
    "deploy/azure.py",
    "deploy/gate.py",
    "src/genai_workload/settings.py",
    "src/genai_workload/__init__.py",
    "src/genai_workload/use_cases.py",  # the registry settings and deploy/contract.py read
    "src/genai_workload/use_cases.json",
)


def render_contract_matrix(root: Path, repo_root: Path) -> dict[str, Path]:
    """Render only CONTRACT_PATHS of every FULL_MATRIX combination, in-process, once per
    session: xdist workers share ``root`` under a file lock (a full `genaiops new` per cell
    would cost minutes)."""
    import copier

    sys.path.insert(0, str(repo_root))
    from generator.scaffold import subset_exclude

    root.mkdir(parents=True, exist_ok=True)
    targets = {name: root / name for name in FULL_MATRIX}
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".done").exists():
            for name, answers in FULL_MATRIX.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # dirty working tree, no tags: both fine
                    copier.run_copy(
                        str(repo_root),
                        targets[name],
                        data=dict(answers),
                        defaults=True,
                        quiet=True,
                        vcs_ref="HEAD",  # the code under test, never the latest release tag
                        exclude=subset_exclude(list(CONTRACT_PATHS)),
                    )
            (root / ".done").write_text("")
    return targets


CUSTOM_POLICIES = {"CKV2_GENAIOPS_1", "CKV2_GENAIOPS_2", "CKV2_GENAIOPS_3", "CKV2_GENAIOPS_4"}


def run_checkov(checkov: str, framework: str, root: Path, policies: Path) -> list[dict[str, Any]]:
    """One checkov process over ``root`` (several infra copies side by side): the flat results.

    (checkov's repeated --directory mixes the reports of the directories, so one root is used.)
    """
    command = [checkov, "--framework", framework, "--skip-download", "-o", "json"]
    command += ["--external-checks-dir", str(policies), "--directory", str(root)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if not proc.stdout.strip().startswith(("{", "[")):
        raise AssertionError(
            f"checkov produced no JSON (rc={proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    results: list[dict[str, Any]] = []
    for report in reports:
        for outcome in ("passed", "failed", "skipped"):
            for check in report["results"][f"{outcome}_checks"]:
                results.append({**check, "outcome": outcome})
        for path in report["results"].get("parsing_errors", []):
            results.append({"outcome": "parsing_error", "file_abs_path": path, "check_id": "-"})
    return results


def within(results: list[dict[str, Any]], directory: Path) -> list[dict[str, Any]]:
    prefix = str(directory.resolve()) + "/"
    return [r for r in results if str(Path(r["file_abs_path"]).resolve()).startswith(prefix)]


def parse_iac(checkov: str, infra_dirs: list[Path]) -> dict[str, Any]:
    """Resources of each infra/ as parsed by checkov's parsers (with the checkov env's python)."""
    python = Path(checkov).with_name("python")
    proc = subprocess.run(
        [str(python), str(HERE / "parse_iac.py"), *map(str, infra_dirs)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"parse_iac failed: {proc.stderr[-3000:]}")
    parsed: dict[str, Any] = json.loads(proc.stdout)
    return parsed
