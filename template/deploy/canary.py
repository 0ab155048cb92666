"""Command line of the canary controller (``python -m deploy.canary <command>``).

Azure coordinates come from the environment (the deploy workflow maps repository variables):
AZURE_CONTAINERAPP_NAME, AZURE_RESOURCE_GROUP, AZURE_APPINSIGHTS_NAME and
AZURE_CONTAINERAPPS_ENVIRONMENT. The synthetic load of each step goes to the canary's label URL
(CANARY_LABEL_URL overrides it: a private ingress reached through a tunnel, a rehearsal).
Exit codes: 0 done, 1 rolled back or failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from deploy import ci
from deploy import config as config_module
from deploy.app_auth import AuthError, from_env
from deploy.azure import AzureContainerApp, AzureError, revision_suffix
from deploy.controller import (
    RolloutError,
    State,
    rollback,
    rollout,
    start,
    summary_markdown,
)
from deploy.synthetic import (
    SyntheticConfigError,
    SyntheticLoad,
    authenticated_sender,
    eval_requests,
)
from deploy.synthetic import load_config as load_synthetic

DEFAULT_STATE = Path(".canary/state.json")


def _platform() -> AzureContainerApp:
    missing = [
        name
        for name in ("AZURE_CONTAINERAPP_NAME", "AZURE_RESOURCE_GROUP")
        if not os.environ.get(name)
    ]
    if missing:
        raise UsageError(f"set {', '.join(missing)} (repository variables in the deploy workflow)")
    return AzureContainerApp(
        app=os.environ["AZURE_CONTAINERAPP_NAME"],
        resource_group=os.environ["AZURE_RESOURCE_GROUP"],
        appinsights=os.environ.get("AZURE_APPINSIGHTS_NAME", ""),
        environment=os.environ.get("AZURE_CONTAINERAPPS_ENVIRONMENT", ""),
    )


class UsageError(Exception):
    pass


def _write_outputs(**values: str) -> None:
    """Expose values to later steps (GitHub step outputs, Azure Pipelines variables)."""
    ci.set_outputs(values)


def _write_summary(state: State | None) -> None:
    if state is not None:
        ci.add_summary(summary_markdown(state), "canary")


def smoke(url: str, attempts: int = 10, wait_s: float = 6.0, path: str = "/health") -> None:
    """The canary answers on its label URL before it gets any traffic."""
    target = urllib.parse.urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    last = ""
    for _ in range(attempts):
        connection = connection_class(target.netloc, timeout=10)
        try:
            connection.request("GET", path)
            status = connection.getresponse().status
            if status == 200:
                print(f"smoke ok: {url}{path}")
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = str(exc)
        finally:
            connection.close()
        time.sleep(wait_s)
    raise RolloutError(f"smoke test failed on {url}{path}: {last}")


def _synthetic_load(
    config: Path, platform: AzureContainerApp, min_requests: int
) -> SyntheticLoad | None:
    settings = load_synthetic(config)
    if not settings.enabled:
        return None
    if settings.requests_per_step < min_requests:
        raise SyntheticConfigError(
            f"{config} [synthetic]: requests_per_step ({settings.requests_per_step}) is below "
            f"the gate's min_requests ({min_requests}): a quiet app could never pass"
        )
    url = os.environ.get("CANARY_LABEL_URL") or platform.label_url("canary")
    # the deployed app takes Entra tokens only: every request carries the deploy identity's
    return SyntheticLoad(url, eval_requests(), settings, send=authenticated_sender(from_env()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.canary", description=__doc__)
    parser.add_argument("--config", type=Path, default=config_module.DEFAULT_PATH)
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE)
    commands = parser.add_subparsers(dest="command", required=True)
    begin = commands.add_parser("start", help="create the canary revision at 0 % traffic")
    begin.add_argument("--image", required=True)
    begin.add_argument("--suffix", help="revision suffix (default: g<sha7>-r<run attempt>)")
    commands.add_parser("label-url", help="print the canary's label URL")
    commands.add_parser("smoke", help="GET /health on the canary's label URL")
    commands.add_parser("rollout", help="shift traffic step by step through the gate")
    commands.add_parser("rollback", help="traffic back to stable, canary deactivated")
    commands.add_parser("status", help="print the state file as Markdown")
    args = parser.parse_args(argv)

    try:
        rollout_config, gate_config = config_module.load(args.config)
        if args.command == "status":
            state = State.load(args.state)
            print(summary_markdown(state) if state else "no canary state")
            return 0
        platform = _platform()
        if args.command == "start":
            suffix = args.suffix or revision_suffix(ci.commit_sha(), ci.run_attempt())
            state = start(platform, args.image, suffix, args.state, rollout_config)
            _write_outputs(canary=state.canary, stable=state.stable)
        elif args.command == "label-url":
            print(platform.label_url("canary"))
        elif args.command == "smoke":
            smoke(platform.label_url("canary"))
        elif args.command == "rollout":
            load = _synthetic_load(args.config, platform, gate_config.min_requests)
            try:
                state = rollout(platform, args.state, rollout_config, gate_config, load=load)
            finally:
                _write_summary(State.load(args.state))
                if load is not None:
                    print(f"synthetic load: {load.total}")
        elif args.command == "rollback":
            state_or_none = rollback(platform, args.state)
            _write_summary(state_or_none)
    except (config_module.ConfigError, SyntheticConfigError, UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (RolloutError, AzureError, AuthError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
