"""Bounded synthetic traffic for the canary: the eval suite's questions at its label URL.

A quiet app gives a canary no requests to be judged by, so the gate would hold until
``max_wait_seconds`` and roll back every time ("too little evidence"). During each traffic step
the controller therefore sends at most ``requests_per_step`` requests taken from the eval
dataset of the app's use case (``evals/thresholds.yaml``) to the canary's label URL, which
reaches the canary revision whatever the weights. They are ordinary requests: the canary's own
telemetry records them (``requests`` rows and ``gen_ai.evaluation.result`` events with the
canary's ``application_Version``), and the gate reads those rows like any others. The stable
revision gets none of them.

``[synthetic]`` in deploy/canary.toml: ``enabled``, ``requests_per_step``, ``per_poll`` (sent
each time the controller polls, so the load is spread over the step) and ``timeout_seconds``.
"""

from __future__ import annotations

import http.client
import json
import tomllib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from deploy.app_auth import TokenSource, headers
from deploy.contract import use_cases

ROOT = Path(__file__).resolve().parent.parent


class SyntheticConfigError(ValueError):
    """The [synthetic] section is unusable; the message says which key and why."""


@dataclass(frozen=True)
class SyntheticConfig:
    enabled: bool = True
    requests_per_step: int = 60
    per_poll: int = 20
    timeout_seconds: float = 30.0


def load_config(path: Path) -> SyntheticConfig:
    data = tomllib.loads(path.read_text(encoding="utf-8")).get("synthetic", {})
    known = {f.name for f in fields(SyntheticConfig)}
    unknown = set(data) - known
    if unknown:
        raise SyntheticConfigError(f"{path} [synthetic]: unknown key(s) {sorted(unknown)}")
    defaults = SyntheticConfig()
    for key, value in data.items():
        default = getattr(defaults, key)
        wanted: tuple[type, ...] = (float, int) if isinstance(default, float) else (type(default),)
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, wanted):
            raise SyntheticConfigError(f"{path} [synthetic]: {key} must be like {default!r}")
    config = SyntheticConfig(**data)
    if config.requests_per_step < 0 or config.per_poll < 1 or config.timeout_seconds <= 0:
        raise SyntheticConfigError(f"{path} [synthetic]: counts and timeout must be positive")
    return config


def eval_requests(root: Path = ROOT) -> list[tuple[str, dict[str, Any]]]:
    """(route, body) for every item of the eval dataset of the app's use case."""
    import yaml

    thresholds = yaml.safe_load((root / "evals" / "thresholds.yaml").read_text(encoding="utf-8"))
    suite = str(thresholds["suites"][0])
    dataset = root / str(thresholds[suite]["dataset"])
    use_case = use_cases(root)[suite]  # its route, and whether it takes a question or a text
    route, key = str(use_case["route"]), str(use_case["input"])  # the record field it sends
    found = []
    for line in dataset.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        found.append((route, {key: record[key]}))
    if not found:
        raise SyntheticConfigError(f"{dataset}: no items to send")
    return found


Send = Callable[[str, str, dict[str, Any], float], int]


def send_http(
    base_url: str,
    route: str,
    body: dict[str, Any],
    timeout_s: float,
    auth: Mapping[str, str] | None = None,
) -> int:
    """POST one request; the HTTP status, or 0 when nothing came back."""
    target = urllib.parse.urlsplit(base_url)
    connection_class = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(target.netloc, timeout=timeout_s)
    try:
        payload = json.dumps(body)
        headers = {"content-type": "application/json", "user-agent": "canary-synthetic-load"}
        headers.update(auth or {})
        connection.request("POST", target.path.rstrip("/") + route, payload, headers)
        response = connection.getresponse()
        response.read()
        return int(response.status)
    except OSError:
        return 0
    finally:
        connection.close()


def authenticated_sender(source: TokenSource | None) -> Send:
    """send_http with the caller's bearer token (deploy/app_auth.py) on every request."""

    def send(base_url: str, route: str, body: dict[str, Any], timeout_s: float) -> int:
        return send_http(base_url, route, body, timeout_s, headers(source))

    return send


@dataclass
class SyntheticLoad:
    """Sends the eval items round-robin, at most ``requests_per_step`` per traffic step."""

    url: str
    items: list[tuple[str, dict[str, Any]]]
    config: SyntheticConfig
    send: Send = send_http
    sent_this_step: int = 0
    total: dict[str, int] = field(default_factory=lambda: {"sent": 0, "ok": 0, "failed": 0})
    _next: int = 0

    def start_step(self) -> None:
        self.sent_this_step = 0

    def tick(self) -> int:
        """Send the next batch of this step (none once the step's budget is spent)."""
        batch = min(self.config.per_poll, self.config.requests_per_step - self.sent_this_step)
        for _ in range(max(0, batch)):
            route, body = self.items[self._next % len(self.items)]
            self._next += 1
            status = self.send(self.url, route, body, self.config.timeout_seconds)
            self.total["sent"] += 1
            self.total["ok" if 200 <= status < 400 else "failed"] += 1
        self.sent_this_step += max(0, batch)
        return max(0, batch)
