"""How the server runs: worker processes, keep-alive and timeouts that fit Container Apps.

- workers: ``WEB_CONCURRENCY``, else the CPUs this container may use (its cgroup quota, not the
  host's core count), at least 1. Each worker is a process with its own event loop, index
  handle and store connection; the store is shared safely (SQLite WAL, or Table Storage).
- keep-alive: the app must keep an idle connection open longer than the proxy in front does, or
  the proxy may reuse a connection the app has just closed (clients see a 502). Container Apps
  does not document its Envoy ingress's upstream idle timeout (its request timeout is 240 s);
  620 s outlasts that and the usual 60-350 s proxy idle timeouts.
- graceful shutdown: Container Apps sends SIGTERM and waits 30 s by default; finishing in-flight
  requests within 25 s leaves room.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

KEEP_ALIVE_S = 620
GRACEFUL_SHUTDOWN_S = 25


def cpu_limit(cgroup: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs available to this process: the cgroup v2 quota when there is one, else affinity."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    count = available or os.cpu_count() or 1
    try:
        quota, period = cgroup.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def workers(environ: dict[str, str] | None = None) -> int:
    value = (environ if environ is not None else os.environ).get("WEB_CONCURRENCY", "")
    if value.strip():
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"WEB_CONCURRENCY must be a whole number, not {value!r}") from None
    return cpu_limit()


def uvicorn_options(host: str, port: int, worker_count: int) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "workers": worker_count,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
        "proxy_headers": True,
        "server_header": False,
        "log_level": "info",
        "access_log": False,  # request telemetry is the access log
    }
