"""The load test: users asking the golden questions, rating some answers, using sessions.

    make loadtest URL=https://<app> [USERS=10 SPAWN_RATE=5 DURATION=30s]
                  [MAX_ERROR_RATE=0.01 MAX_P95_MS=2000]

Interface (for a pipeline step): the target is ``--host``; thresholds come from
``LOADTEST_MAX_ERROR_RATE`` (share of failed requests, default 0.01) and ``LOADTEST_MAX_P95_MS``
(95th percentile of all requests, default 2000). Locust exits 0 when both hold and 1 when
either is breached (the reason is printed), so a workflow step fails on a breach. An API key
goes in ``LOADTEST_API_KEY`` (sent as X-API-Key) or a bearer token in ``LOADTEST_BEARER``.
"""

from __future__ import annotations

import json
import logging
import os
import random
from pathlib import Path

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "data" / "eval" / "rag_chat.jsonl").read_text().splitlines()
    if line.strip()
][:20] or ["How many days do customers have to return an item?"]


def _headers() -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if os.environ.get("LOADTEST_API_KEY"):
        headers["X-API-Key"] = os.environ["LOADTEST_API_KEY"]
    if os.environ.get("LOADTEST_BEARER"):
        headers["Authorization"] = f"Bearer {os.environ['LOADTEST_BEARER']}"
    return headers


class ChatUser(HttpUser):
    wait_time = between(0.5, 2.0)

    @task(6)
    def ask(self) -> None:
        with self.client.post(
            "/chat",
            json={"question": random.choice(QUESTIONS)},
            headers=_headers(),
            name="POST /chat",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "answer" not in response.text:
                response.failure(f"HTTP {response.status_code}")
                return
            if random.random() < 0.2:
                rating = {"request_id": response.json()["request_id"], "rating": 5}
                self.client.post(
                    "/feedback", json=rating, headers=_headers(), name="POST /feedback"
                )

    @task(2)
    def conversation(self) -> None:
        first = self.client.post(
            "/chat",
            json={"question": random.choice(QUESTIONS), "new_session": True},
            headers=_headers(),
            name="POST /chat (session)",
        )
        if first.status_code == 200:
            follow_up = {"question": "And what else?", "session_id": first.json()["session_id"]}
            self.client.post(
                "/chat", json=follow_up, headers=_headers(), name="POST /chat (session)"
            )

    @task(1)
    def ready(self) -> None:
        self.client.get("/ready", name="GET /ready")


@events.quitting.add_listener
def apply_thresholds(environment, **_kwargs) -> None:
    """Pass/fail: error rate and p95 over all requests."""
    total = environment.stats.total
    max_errors = float(os.environ.get("LOADTEST_MAX_ERROR_RATE", "0.01"))
    max_p95 = float(os.environ.get("LOADTEST_MAX_P95_MS", "2000"))
    p95 = total.get_response_time_percentile(0.95) or 0.0
    problems = []
    if total.num_requests == 0:
        problems.append("no requests were made")
    if total.fail_ratio > max_errors:
        problems.append(f"error rate {total.fail_ratio:.2%} > {max_errors:.2%}")
    if p95 > max_p95:
        problems.append(f"p95 {p95:.0f} ms > {max_p95:.0f} ms")
    verdict = "FAIL: " + "; ".join(problems) if problems else "PASS"
    logging.getLogger("loadtest").warning(
        "%s (requests %d, errors %.2f%%, p95 %.0f ms)",
        verdict,
        total.num_requests,
        100 * total.fail_ratio,
        p95,
    )
    environment.process_exit_code = 1 if problems else 0
