"""Fixture files for the workflows evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, _action, _job, _step, _workflow, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """The CI, deploy, monitor, refresh-index, redteam and provision workflows."""
    data = lv["data"]
    prm = lv["prompts"]
    ev = lv["evaluation"]
    dl = lv["delivery"]
    mon = lv["monitoring"]
    saf = lv["safety"]
    inf = lv["infra"]
    eng = lv["engineering"]
    on_ci = "on:\n  pull_request:\n  push:\n    branches: [main]\n" + (
        "  workflow_call:\n" if dl >= 3 else ""
    )
    ci_jobs = []
    if dl >= 1:
        ci_jobs.append(_job("test", [_step("Unit tests", "make test")], eng))
    if eng >= 2:
        ci_jobs.append(_job("lint", [_step("Lint", "make lint")], eng))
    if ev >= 3:
        ci_jobs.append(_job("eval", [_step("Offline eval gate", "make eval")], eng))
    if inf >= 2:
        steps = [_step("Build Bicep", "make lint-iac")]
        if inf >= 4:
            steps.append(_step("checkov", "make iac-scan"))
        ci_jobs.append(_job("iac", steps, eng))
    if prm >= 4:
        ci_jobs.append(_job("compare", [_step("Compare variants", "make compare")], eng))
    if ci_jobs:
        write(root, ".github/workflows/ci.yml", _workflow("ci", on_ci, ci_jobs, eng))
    if dl >= 2:
        jobs = []
        extra = (
            "    environment: prod\n    permissions:\n      id-token: write\n      contents: read\n"
        )
        if dl >= 3:
            jobs.append("  ci:\n    uses: ./.github/workflows/ci.yml\n")
            extra = "    needs: [ci]\n" + extra
        steps = [
            f"      - uses: {_action('azure/login', 'v2', eng >= 3)}\n        with:\n"
            "          client-id: ${{ vars.AZURE_CLIENT_ID }}\n          tenant-id: "
            "${{ vars.AZURE_TENANT_ID }}\n"
            "          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n",
            _step("Deploy", "make deploy IMAGE=app:${{ github.sha }}"),
        ]
        if dl >= 3:
            steps.append(_step("Smoke test", "make smoke"))
        if dl >= 4:
            steps.append(
                _step("Roll back", "make rollback", "        if: failure() || cancelled()\n")
            )
        if eng >= 4:
            steps.append(
                f"      - uses: {_action('actions/attest-build-provenance', 'v2', eng >= 3)}\n"
                "        with:\n          subject-path: dist/*\n"
            )
        jobs.append(_job("deploy", steps, eng, extra))
        write(
            root,
            ".github/workflows/deploy.yml",
            _workflow(
                "deploy", "on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n", jobs, eng
            ),
        )
    if mon >= 3 or ev >= 4:
        steps = [_step("Online eval", "make monitor")]
        if mon >= 3:
            steps.append(
                _step(
                    "Open an issue",
                    'gh issue create --title "Quality regression" --body-file report.md',
                    "        if: failure()\n",
                )
            )
        write(
            root,
            ".github/workflows/monitor.yml",
            _workflow(
                "monitor",
                "on:\n  schedule:\n    - cron: '17 5 * * *'\n  workflow_dispatch:\n",
                [
                    _job(
                        "monitor",
                        steps,
                        eng,
                        "    permissions:\n      contents: read\n      issues: write\n"
                        if eng >= 3
                        else "",
                    )
                ],
                eng,
            ),
        )
    if data >= 3:
        steps = [_step("Ingest", "make ingest")]
        if data >= 4:
            steps.append(_step("Retrieval eval", "make eval-retrieval"))
        write(
            root,
            ".github/workflows/refresh-index.yml",
            _workflow(
                "refresh-index",
                "on:\n  schedule:\n    - cron: '0 3 * * 1'\n  workflow_dispatch:\n",
                [_job("refresh", steps, eng)],
                eng,
            ),
        )
    if saf >= 4:
        write(
            root,
            ".github/workflows/redteam.yml",
            _workflow(
                "redteam",
                "on:\n  schedule:\n    - cron: '0 4 * * 0'\n",
                [_job("redteam", [_step("Red team", "make redteam")], eng)],
                eng,
            ),
        )
    if inf >= 4:
        write(
            root,
            ".github/workflows/provision.yml",
            _workflow(
                "provision",
                "on:\n  workflow_dispatch:\n",
                [
                    _job(
                        "provision",
                        [_step("Provision", "make provision")],
                        eng,
                        "    environment: prod\n    permissions:\n      id-token: write\n      "
                        "contents: read\n",
                    )
                ],
                eng,
            ),
        )
