"""renovate.json (the Azure Repos counterpart of .github/dependabot.yml) is a valid Renovate
configuration: checked against the schema the pinned Renovate release ships (npm ``renovate``,
``renovate-schema.json``), plus the key names, which that schema leaves open."""

from __future__ import annotations

import json
import os
import re
import tarfile
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "template" / "renovate.json"
MAKEFILE = ROOT / "template" / "mk" / "pipelines.mk"
CACHE = ROOT / ".cache" / "azure-pipelines"


def pinned_version() -> str:
    match = re.search(r"^RENOVATE_VERSION \?= (\S+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert match, "mk/pipelines.mk pins no Renovate version"
    return match.group(1)


@pytest.fixture(scope="module")
def schema() -> dict:
    tarball = CACHE / f"renovate-{pinned_version()}.tgz"
    if not tarball.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{tarball} missing (the Azure Pipelines block of .ci/run packs it)")
        pytest.skip(f"{tarball} missing; run the Azure Pipelines block of .ci/run")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/renovate-schema.json")
        assert member is not None
        return json.load(member)


def test_renovate_config_is_valid_for_the_pinned_release(schema):
    config = json.loads(CONFIG.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(config)] == []
    known = set(schema["properties"])
    assert set(config) - {"$schema"} <= known
    # a package rule takes the match* keys and any top-level option (groupName ...)
    rule_keys = known | set(
        schema["definitions"]["packageRules"]["items"]["allOf"][0]["properties"]
    )
    for rule in config["packageRules"]:
        assert set(rule) <= rule_keys, rule
    # what Dependabot does on GitHub: weekly, a release ages 7 days, lockfile and tasks
    assert config["minimumReleaseAge"] == "7 days"
    assert config["azure-pipelines"] == {"enabled": True}
    assert config["lockFileMaintenance"]["enabled"] is True


def test_the_schema_check_is_not_blind(schema):
    validator = jsonschema.validators.validator_for(schema)(schema)
    broken = {**json.loads(CONFIG.read_text()), "lockFileMaintenance": {"enabled": "yes"}}
    assert list(validator.iter_errors(broken))
    assert "minimumReleaseAgee" not in set(schema["properties"])
