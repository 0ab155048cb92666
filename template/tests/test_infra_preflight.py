"""tools/preflight.py: the shipped parameters pass, combinations known not to exist are flagged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PREFLIGHT = REPO / "tools" / "preflight.py"
BICEP = (REPO / "infra" / "main.bicep").is_file()


# the day the shipped chat model was chosen (well before its retirement), so these tests do not age
BEFORE_RETIREMENT = "2026-12-01"


def run(
    *args: str | Path, cwd: Path = REPO, today: str = BEFORE_RETIREMENT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PREFLIGHT), *map(str, args), "--today", today],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_params(infra: Path, **values: str | int) -> Path:
    """One environment file in this repo's flavour, with the given overrides of the defaults."""
    values = {"location": "swedencentral", **values}
    if BICEP:
        lines = [
            "using '../main.bicep'",
            "param environmentName = 'test'",
            "param githubRepository = 'o/r'",
        ]
        for name, value in values.items():
            camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
            lines.append(
                f"param {camel} = " + (f"'{value}'" if isinstance(value, str) else str(value))
            )
        path = infra / "env" / "test.bicepparam"
    else:
        lines = ['environment_name = "test"', 'github_repository = "o/r"']
        lines += [
            f"{name} = " + (f'"{value}"' if isinstance(value, str) else str(value))
            for name, value in values.items()
        ]
        path = infra / "env" / "test.tfvars"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    copy = tmp_path / "infra"
    shutil.copytree(REPO / "infra", copy)
    return copy


def test_shipped_parameters_pass() -> None:
    proc = run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 warning(s)" in proc.stdout


def test_model_not_offered_in_region_is_flagged(infra: Path) -> None:
    # text-embedding-3-small has no regional Standard deployment in Sweden Central
    params = write_params(infra, embedding_deployment_sku="Standard")
    proc = run(params)
    assert proc.returncode == 1
    assert "text-embedding-3-small 1 (Standard) is not offered in swedencentral" in proc.stdout


def test_same_model_in_a_region_that_offers_it_passes(infra: Path) -> None:
    params = write_params(infra, embedding_deployment_sku="Standard", location="eastus")
    proc = run(params)
    assert proc.returncode == 0, proc.stdout


def test_capacity_above_default_quota_is_flagged(infra: Path) -> None:
    params = write_params(
        infra,
        chat_model_name="gpt-4o",
        chat_model_version="2024-11-20",
        chat_deployment_capacity=60000,
    )
    proc = run(params)
    assert proc.returncode == 1
    assert "exceeds the default quota of 30000" in proc.stdout


def test_capacity_below_one_is_flagged(infra: Path) -> None:
    params = write_params(infra, chat_deployment_capacity=0)
    proc = run(params, "--warn-only")
    assert proc.returncode == 0
    assert "capacity 0 must be a whole number >= 1" in proc.stdout


def test_unknown_model_is_a_note_not_a_warning(infra: Path) -> None:
    params = write_params(infra, chat_model_version="2099-01-01")
    proc = run(params)
    assert proc.returncode == 0
    assert "note: chat deployment gpt-5.4-mini 2099-01-01" in proc.stdout


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = run(tmp_path / "nope.bicepparam")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("preflight: error:")
    assert proc.stdout == ""


def test_wrong_file_type_is_a_usage_error(tmp_path: Path) -> None:
    other = tmp_path / "params.yaml"
    other.write_text("location: swedencentral\n", encoding="utf-8")
    proc = run(other)
    assert proc.returncode == 2
    assert "expected a .bicepparam, .tfvars or .tfvars.json file" in proc.stderr


def test_a_model_version_past_its_retirement_date_is_flagged(infra: Path) -> None:
    params = write_params(infra, chat_model_name="gpt-5.4-mini", chat_model_version="2026-03-17")
    proc = run(params, today="2027-09-22")
    assert proc.returncode == 1
    assert "retires no earlier than 2027-09-21, which has passed" in proc.stdout
    soon = run(params, today="2027-08-01")
    assert soon.returncode == 0 and "plan the upgrade" in soon.stdout


def test_a_deprecated_model_fails_with_a_replacement_to_pin(infra: Path) -> None:
    # the model this template shipped until 2026-12: closed to new customers, not yet retired
    params = write_params(infra, chat_model_name="gpt-4o-mini", chat_model_version="2024-07-18")
    proc = run(params)
    assert proc.returncode == 1
    assert "gpt-4o-mini 2024-07-18 is Deprecated (retires 2027-04-14)" in proc.stdout
    # actionable: a GA version of the same size class that the table knows, and where to pin it
    assert "e.g. gpt-5.4-mini 2026-03-17" in proc.stdout and "APP_CHAT_MODEL" in proc.stdout


def test_the_shipped_chat_model_is_ga_everywhere_it_is_named() -> None:
    """The IaC default, the app's setting and the retirement table agree on one GA version."""
    import datetime
    import re

    sys.path.insert(0, str(PREFLIGHT.parent))
    import preflight

    infra = REPO / "infra"
    if BICEP:
        defaults = preflight.bicep_defaults(infra / "main.bicep")
    else:
        defaults = preflight.terraform_defaults(infra / "variables.tf")
    model, version = defaults["chat_model_name"], defaults["chat_model_version"]
    (settings,) = REPO.glob("src/*/settings.py")
    setting = re.search(r'chat_model: str = "([^"]+)"', settings.read_text(encoding="utf-8"))
    assert setting and setting.group(1) == model
    life = preflight.load_retirements()[(str(model), str(version))]
    assert life.stage == "GA"
    assert life.retires - datetime.date.fromisoformat(BEFORE_RETIREMENT) > datetime.timedelta(
        days=180
    )
