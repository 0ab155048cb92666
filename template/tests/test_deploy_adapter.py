"""The az adapter builds exactly the documented commands, as argument lists."""

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deploy import config
from deploy.azure import (
    AzureContainerApp,
    AzureError,
    revision_suffix,
)
from deploy.queries import gate_query, parse_table

APP = AzureContainerApp("ca-chat", "rg-chat", appinsights="appi-chat", environment="cae-chat")
BASE = ["-n", "ca-chat", "-g", "rg-chat"]
STABLE, CANARY = "ca-chat--g1111111-r1", "ca-chat--g2222222-r1"


def test_commands_match_the_container_apps_canary_sequence() -> None:
    assert APP.cmd_latest_ready() == [
        "az", "containerapp", "show", *BASE,
        "--query", "properties.latestReadyRevisionName", "-o", "tsv",
    ]  # fmt: skip
    assert APP.cmd_traffic_set({STABLE: 100}) == [
        "az", "containerapp", "ingress", "traffic", "set", *BASE,
        "--revision-weight", f"{STABLE}=100",
    ]  # fmt: skip
    assert APP.cmd_create_revision("cr.azurecr.io/ca-chat:abc", "g2222222-r1") == [
        "az", "containerapp", "update", *BASE,
        "--image", "cr.azurecr.io/ca-chat:abc", "--revision-suffix", "g2222222-r1",
    ]  # fmt: skip
    assert APP.cmd_revision_state(CANARY) == [
        "az", "containerapp", "revision", "show", *BASE, "--revision", CANARY,
        "--query", "properties.[healthState,runningState]", "-o", "tsv",
    ]  # fmt: skip
    assert APP.cmd_label_add("canary", CANARY) == [
        "az", "containerapp", "revision", "label", "add", *BASE,
        "--label", "canary", "--revision", CANARY, "--yes",
    ]  # fmt: skip
    assert APP.cmd_default_domain() == [
        "az", "containerapp", "env", "show", "-n", "cae-chat", "-g", "rg-chat",
        "--query", "properties.defaultDomain", "-o", "tsv",
    ]  # fmt: skip
    for stable, canary in ((90, 10), (50, 50), (0, 100), (100, 0)):
        assert APP.cmd_traffic_set({STABLE: stable, CANARY: canary})[-3:] == [
            "--revision-weight",
            f"{STABLE}={stable}",
            f"{CANARY}={canary}",
        ]
    assert APP.cmd_deactivate(CANARY) == [
        "az", "containerapp", "revision", "deactivate", *BASE, "--revision", CANARY,
    ]  # fmt: skip
    query = APP.cmd_appinsights_query("requests | take 1", 15)
    assert query == [
        "az", "monitor", "app-insights", "query", "--app", "appi-chat", "-g", "rg-chat",
        "--offset", "15m", "--analytics-query", "requests | take 1", "-o", "json",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "weights", [{STABLE: 90, CANARY: 20}, {STABLE: 110, CANARY: -10}, {"x": 100}]
)
def test_bad_traffic_weights_are_refused(weights: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        APP.cmd_traffic_set(weights)


@pytest.mark.parametrize("name", ["Bad_Name", "a--b", "-a", "a;rm -rf /"])
def test_names_that_could_smuggle_arguments_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        AzureContainerApp(name, "rg")
    with pytest.raises(ValueError):
        APP.cmd_create_revision("img", name)


def test_revision_suffix_is_deterministic_per_commit_and_attempt() -> None:
    assert revision_suffix("0123456789abcdef", "3") == "g0123456-r3"
    with pytest.raises(ValueError):
        revision_suffix("", "1")


def test_gate_query_names_both_revisions_and_windows() -> None:
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    kql = gate_query(STABLE, CANARY, since, 60)
    assert f'let stable_rev = "{STABLE}";' in kql
    assert "let canary_since = datetime(2026-01-02T03:04:05Z);" in kql
    assert "let stable_since = ago(60m);" in kql
    assert "percentile(duration, 95)" in kql and "gen_ai.evaluation.result" in kql
    with pytest.raises(ValueError):
        gate_query('x" or 1==1 //', CANARY, since, 60)


class Recorder:
    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> str:
        self.calls.append(list(command))
        return next((v for k, v in self.answers.items() if k in command), "")


def test_stable_revision_is_the_one_at_100_percent() -> None:
    traffic = json.dumps([{"revisionName": STABLE, "weight": 100, "label": "stable"}])
    app = AzureContainerApp("ca-chat", "rg-chat", runner=Recorder({"show": traffic}))
    assert app.stable_revision() == STABLE


def test_stable_revision_follows_latest_on_first_rollout() -> None:
    runner = Recorder({"traffic": '[{"latestRevision": true, "weight": 100}]', "tsv": STABLE})
    assert AzureContainerApp("ca-chat", "rg-chat", runner=runner).stable_revision() == STABLE


def test_a_split_traffic_refuses_to_start_a_new_rollout() -> None:
    split = json.dumps(
        [{"revisionName": STABLE, "weight": 50}, {"revisionName": CANARY, "weight": 50}]
    )
    app = AzureContainerApp("ca-chat", "rg-chat", runner=Recorder({"show": split}))
    with pytest.raises(AzureError, match="traffic is split"):
        app.stable_revision()


def test_metrics_come_from_the_app_insights_table() -> None:
    table = {
        "tables": [
            {
                "name": "PrimaryResult",
                "columns": [
                    {"name": n}
                    for n in (
                        "revision",
                        "requests",
                        "failures",
                        "p95_ms",
                        "eval_score",
                    )
                ],
                "rows": [[STABLE, 900, 9, 410.5, 0.81], [CANARY, 100, 4, 650.0, None]],
            }
        ]
    }
    runner = Recorder({"app-insights": json.dumps(table), "revision": "Healthy\tRunning"})
    app = AzureContainerApp("ca-chat", "rg-chat", appinsights="appi", runner=runner)
    now = datetime(2026, 1, 1, 12, 10, tzinfo=UTC)
    stable, canary = app.metrics(STABLE, CANARY, datetime(2026, 1, 1, 12, tzinfo=UTC), 60, now)
    assert (stable.requests, stable.failures, stable.p95_ms) == (900, 9, 410.5)
    assert (canary.requests, canary.error_rate, canary.eval_score) == (100, 0.04, None)
    assert canary.healthy
    assert parse_table(json.dumps(table))[CANARY]["p95_ms"] == 650.0
    with pytest.raises(AzureError):
        parse_table("<html>login required</html>")


def test_shipped_config_loads_and_bad_configs_are_one_line_errors(
    tmp_path: Path,
) -> None:
    rollout, gate = config.load()
    assert rollout.steps == (10, 50, 100)
    assert gate.min_requests >= 1
    for text, message in [
        ("[rollout]\nsteps = [10, 50]\n", "end at 100"),
        ("[rollout]\nsteps = [50, 10, 100]\n", "rise strictly"),
        ("[gate]\nmin_requests = 1.5\n", "whole number"),
        ("[gate]\nmax_error_rate = 'high'\n", "must be a number"),
        ("[gate]\nbogus = 1\n", "unknown key"),
        ("[gates]\n", "unknown section"),
        ("not toml", "not valid TOML"),
    ]:
        path = tmp_path / "canary.toml"
        path.write_text(text)
        with pytest.raises(config.ConfigError, match=message):
            config.load(path)
