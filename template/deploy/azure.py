"""Thin adapter over the Azure CLI: every command is an argument list, never a shell string.

The builders (``cmd_*``) are pure so tests pin the exact commands; ``AzureContainerApp`` runs
them through one ``runner`` (``subprocess.run`` by default, a fake in rehearsals and tests).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from deploy.gate import RevisionMetrics

Runner = Callable[[Sequence[str]], str]

# Container Apps names: lower-case alphanumerics and single dashes (revision = app--suffix).
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*$")
_REVISION = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*--[a-z0-9](?:[a-z0-9]|-(?!-))*$")
_LABEL = re.compile(r"^[a-z][a-z0-9-]*$")


class AzureError(RuntimeError):
    """An az command failed; the message carries the command and az's stderr."""


def run_az(command: Sequence[str]) -> str:
    """Run one az command and return its stdout (argument list, no shell)."""
    proc = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        shown = " ".join(command[:4])
        raise AzureError(f"{shown} ... failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return proc.stdout


def check_name(value: str, what: str) -> str:
    if not _NAME.match(value) or len(value) > 54:
        raise ValueError(f"{what} {value!r}: use lower-case letters, digits and single dashes")
    return value


def check_revision(value: str) -> str:
    if not _REVISION.match(value):
        raise ValueError(f"revision {value!r} is not <app>--<suffix>")
    return value


def revision_suffix(sha: str, attempt: str) -> str:
    """Deterministic, unique per re-run: g<sha7>-r<attempt> (valid as a revision suffix)."""
    if not re.fullmatch(r"[0-9a-f]{7,40}", sha) or not attempt.isdigit():
        raise ValueError(
            f"need a hex commit sha and a numeric run attempt (got {sha!r}, {attempt!r})"
        )
    return f"g{sha[:7]}-r{attempt}"


@dataclass(frozen=True)
class AzureContainerApp:
    """One container app, its resource group, App Insights and Container Apps environment."""

    app: str
    resource_group: str
    appinsights: str = ""
    environment: str = ""
    runner: Runner = run_az

    def __post_init__(self) -> None:
        check_name(self.app, "container app")
        if not re.fullmatch(r"[-\w._()]{1,90}", self.resource_group):
            raise ValueError(f"resource group {self.resource_group!r} is not a valid name")

    # -- command builders (pure) -------------------------------------------------------
    def _base(self, *words: str) -> list[str]:
        return ["az", "containerapp", *words, "-n", self.app, "-g", self.resource_group]

    def cmd_latest_ready(self) -> list[str]:
        return [
            *self._base("show"),
            "--query",
            "properties.latestReadyRevisionName",
            "-o",
            "tsv",
        ]

    def cmd_traffic_show(self) -> list[str]:
        return [*self._base("ingress", "traffic", "show"), "-o", "json"]

    def cmd_traffic_set(self, weights: Mapping[str, int]) -> list[str]:
        if sum(weights.values()) != 100 or any(not 0 <= w <= 100 for w in weights.values()):
            raise ValueError(f"traffic weights must be 0..100 and add up to 100: {dict(weights)}")
        pairs = [f"{check_revision(rev)}={weight}" for rev, weight in weights.items()]
        return [*self._base("ingress", "traffic", "set"), "--revision-weight", *pairs]

    def cmd_create_revision(self, image: str, suffix: str) -> list[str]:
        check_name(suffix, "revision suffix")
        return [*self._base("update"), "--image", image, "--revision-suffix", suffix]

    def cmd_revision_state(self, revision: str) -> list[str]:
        return [
            *self._base("revision", "show"),
            "--revision",
            check_revision(revision),
            "--query",
            "properties.[healthState,runningState]",
            "-o",
            "tsv",
        ]

    def cmd_label_add(self, label: str, revision: str) -> list[str]:
        if not _LABEL.match(label):
            raise ValueError(f"label {label!r}: lower-case letters, digits and dashes")
        return [
            *self._base("revision", "label", "add"),
            "--label",
            label,
            "--revision",
            check_revision(revision),
            "--yes",
        ]

    def cmd_deactivate(self, revision: str) -> list[str]:
        return [
            *self._base("revision", "deactivate"),
            "--revision",
            check_revision(revision),
        ]

    def cmd_default_domain(self) -> list[str]:
        check_name(self.environment, "container apps environment")
        return [
            "az",
            "containerapp",
            "env",
            "show",
            "-n",
            self.environment,
            "-g",
            self.resource_group,
            "--query",
            "properties.defaultDomain",
            "-o",
            "tsv",
        ]

    def cmd_appinsights_query(self, kql: str, offset_minutes: int) -> list[str]:
        if not self.appinsights:
            raise ValueError("no Application Insights name (set AZURE_APPINSIGHTS_NAME)")
        return appinsights_query(self.appinsights, self.resource_group, kql, offset_minutes)

    # -- operations --------------------------------------------------------------------
    def stable_revision(self) -> str:
        """The revision serving 100 % now; refuses a split (an unfinished rollout)."""
        traffic = json.loads(self.runner(self.cmd_traffic_show()) or "[]")
        serving = [t for t in traffic if int(t.get("weight", 0)) > 0]
        if len(serving) != 1 or int(serving[0].get("weight", 0)) != 100:
            split = {t.get("revisionName") or "latest": t.get("weight") for t in serving}
            raise AzureError(
                f"traffic is split {split}: finish or roll back the previous rollout first"
            )
        name = serving[0].get("revisionName")
        if not name:  # first rollout after IaC: traffic follows "latest"
            name = self.runner(self.cmd_latest_ready()).strip()
        return check_revision(str(name))

    def set_weights(self, weights: Mapping[str, int]) -> None:
        self.runner(self.cmd_traffic_set(weights))

    def create_revision(self, image: str, suffix: str) -> str:
        self.runner(self.cmd_create_revision(image, suffix))
        return check_revision(f"{self.app}--{suffix}")

    def revision_state(self, revision: str) -> tuple[str, str]:
        words = self.runner(self.cmd_revision_state(revision)).split()
        health = words[0] if words else ""
        running = words[1] if len(words) > 1 else ""
        return health, running

    def label(self, label: str, revision: str) -> None:
        self.runner(self.cmd_label_add(label, revision))

    def deactivate(self, revision: str) -> None:
        self.runner(self.cmd_deactivate(revision))

    def label_url(self, label: str) -> str:
        domain = self.runner(self.cmd_default_domain()).strip()
        if not domain:
            raise AzureError("the Container Apps environment reported no default domain")
        return f"https://{self.app}---{label}.{domain}"

    def metrics(
        self,
        stable: str,
        canary: str,
        canary_since: datetime,
        baseline_minutes: int,
        now: datetime,
    ) -> tuple[RevisionMetrics, RevisionMetrics]:
        """Requests, failures, p95 and mean online eval score per revision from App Insights."""
        from deploy.queries import gate_query, parse_table, to_metrics

        kql = gate_query(stable, canary, canary_since, baseline_minutes)
        window = max(baseline_minutes, int((now - canary_since).total_seconds() // 60) + 1)
        rows = parse_table(self.runner(self.cmd_appinsights_query(kql, window + 5)))
        health, _ = self.revision_state(canary)
        return (
            to_metrics(stable, rows.get(stable), healthy=True),
            to_metrics(canary, rows.get(canary), healthy=health == "Healthy"),
        )


def appinsights_query(
    appinsights: str, resource_group: str, kql: str, offset_minutes: int
) -> list[str]:
    """``az monitor app-insights query`` over the last ``offset_minutes`` minutes."""
    return [
        "az",
        "monitor",
        "app-insights",
        "query",
        "--app",
        appinsights,
        "-g",
        resource_group,
        "--offset",
        f"{max(1, offset_minutes)}m",
        "--analytics-query",
        kql,
        "-o",
        "json",
    ]
