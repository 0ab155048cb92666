"""The generated app as a user and a pipeline meet it, for the default answers (one install):

- ``make test-e2e``: a real Chromium (Debian's package, driven by Playwright) loads the UI from
  ``make run``, asks a golden question, sees the streamed answer with a citation and sends
  feedback; the screenshots are kept in ``.artifacts/e2e/``;
- ``make loadtest URL=...``: the Locust scenario against the app served locally passes within
  its thresholds and exits non-zero when one is breached (localhost only, a few seconds).
"""

from __future__ import annotations

import os
import shutil

import pytest
from genrepo import REPO_ROOT, clean_env, free_port, run_shell, serving


@pytest.mark.slow
def test_browser_and_load_tests_of_the_generated_app(generated, fresh_copy, cli_env):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    repo = fresh_copy(generated())
    env = clean_env(cli_env, APP_TELEMETRY_EXPORTER="none", CHROMIUM=chromium)

    browser = run_shell("make test-e2e", repo, env, timeout=900)
    shots = sorted((repo / ".artifacts" / "e2e").glob("*.png"))
    keep = REPO_ROOT / ".artifacts" / "e2e"
    keep.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy2(shot, keep / shot.name)
    assert browser.returncode == 0, browser.stdout[-3000:] + browser.stderr[-3000:]
    assert " passed" in browser.stdout and " skipped" not in browser.stdout
    names = [s.name for s in shots]
    assert names == ["1-loaded.png", "2-answered.png", "3-source.png", "4-feedback.png"]
    assert all(s.stat().st_size > 5_000 for s in shots)  # real renders, not empty files

    usage = run_shell("make loadtest", repo, env)
    assert usage.returncode == 2 and "usage: make loadtest URL=" in usage.stderr
    port = free_port()
    with serving(f"make run PORT={port}", repo, env, port) as base:
        common = f"make loadtest URL={base} USERS=5 SPAWN_RATE=5 DURATION=8s"
        ok = run_shell(f"{common} MAX_ERROR_RATE=0.01 MAX_P95_MS=5000", repo, env, timeout=600)
        breach = run_shell(f"{common} MAX_P95_MS=0.001", repo, env, timeout=600)
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    assert "PASS" in ok.stderr + ok.stdout
    assert breach.returncode != 0 and "FAIL: p95" in breach.stderr + breach.stdout
