"""The canary rehearsal rig: revisions of a generated app on localhost behind its local
ingress, a fake ``az`` on PATH, and bounded traffic. Used by test_canary_proof.py."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
APP = "ca-workload"


class Traffic:
    """Bounded request loops against the ingress from a few threads (loopback only)."""

    def __init__(self, url: str, threads: int = 4, max_requests: int = 20_000) -> None:
        self.url, self.threads, self.max_requests = url, threads, max_requests
        self._stop = threading.Event()
        self.sent = 0
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self.sent >= self.max_requests:
                    return
                self.sent += 1
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=10) as r:  # noqa: S310
                    r.read()
            except (urllib.error.HTTPError, OSError):
                pass
            time.sleep(0.002)

    def __enter__(self) -> Traffic:
        for _ in range(self.threads):
            worker = threading.Thread(target=self._loop, daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=15)


def fake_az_bin(directory: Path, az: str = "fake_az") -> Path:
    """A directory holding executables ``az`` and ``gh`` that run the fakes with this Python.

    ``az="fake_az_insights"`` answers the gate's query from the local Application Insights.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("az", "gh"):
        script = directory / name
        fake = HERE / (f"{az}.py" if name == "az" else f"fake_{name}.py")
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{fake}" "$@"\n')
        script.chmod(0o755)
    return directory


def write_state(path: Path, **state: Any) -> None:
    path.write_text(json.dumps(state, indent=2))


def read_state(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def az_calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def weight_steps(log: Path) -> list[list[str]]:
    """The ``--revision-weight`` values of every traffic change, in order."""
    return [
        call[call.index("--revision-weight") + 1 :]
        for call in az_calls(log)
        if call[1:5] == ["containerapp", "ingress", "traffic", "set"]
    ]


def make_with_fake_azure(repo: Path, base: dict[str, str], *args: str, **env: str):
    """`make ARGS` in a generated repo with the fake az and gh on PATH, their state beside the
    repo, and the Azure names deploy/ reads; ``env`` adds or overrides variables."""
    import subprocess

    work = repo.parent
    full_env = {
        **base,
        "PATH": f"{fake_az_bin(work / 'bin')}:{base['PATH']}",
        "FAKE_AZ_STATE": str(work / "azure.json"),
        "FAKE_AZ_LOG": str(work / "az.log"),
        "FAKE_GH_STATE": str(work / "github.json"),
        "FAKE_GH_LOG": str(work / "gh.log"),
        "AZURE_CONTAINERAPP_NAME": APP,
        "AZURE_RESOURCE_GROUP": "rg-workload",
        "AZURE_APPINSIGHTS_NAME": "appi-workload",
        "AZURE_CONTAINERAPPS_ENVIRONMENT": "cae-workload",
        "AZURE_CONTAINER_REGISTRY": "crworkload",
        "AZURE_CONTAINER_REGISTRY_ENDPOINT": "crworkload.azurecr.io",
        **env,
    }
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
