"""Per-caller rate limit for deployments without a gateway (APIM enforces its own).

A sliding window of one minute per caller, in this process's memory: with W worker processes and
R replicas a caller can get up to W x R x the limit, so set ``APP_RATE_LIMIT_PER_MINUTE`` with
that in mind, or put the gateway in front for an exact global quota.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = 10_000,
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.max_callers = max_callers
        self._seen: dict[str, deque[float]] = {}

    def check(self, caller: str) -> float:
        """0 when the call may go ahead (and counts it), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        times = self._seen.setdefault(caller, deque())
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        if len(times) >= self.per_minute:
            return max(0.001, times[0] + WINDOW_S - now)
        times.append(now)
        if len(self._seen) > self.max_callers:  # forget idle callers, keep memory bounded
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - WINDOW_S]:
                del self._seen[key]
        return 0.0


def retry_after(seconds: float) -> str:
    """The ``Retry-After`` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
