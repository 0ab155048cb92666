"""Provision infra/ (``provision``) or preview the change (``preview``), from a workflow or a laptop.

Bicep: ``az deployment sub create`` / ``az deployment sub what-if --validation-level
ProviderNoRbac`` (read checks only, so the preview identity needs no write). Terraform:
``terraform init`` against the remote state named by ``TF_BACKEND_*``, then ``plan`` / ``apply``.

Re-provisioning must keep production on the deployed image and traffic split: before a Bicep
deployment the script asks whether the container app exists and says so to the parameters
(``SERVICE_API_RESOURCE_EXISTS``); Terraform ignores image and traffic changes instead. The first
provision of the prod gateway opens API Management's public access once (required on creation).

Usage: python -m deploy.infra provision|preview [--env dev|prod] [--dry-run]
Exit codes: 0 done (or skipped with a notice), 1 a command failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

INFRA = Path("infra")
Runner = Callable[[Sequence[str], Mapping[str, str]], subprocess.CompletedProcess[str]]
BACKEND_VARS = ("TF_BACKEND_RESOURCE_GROUP", "TF_BACKEND_STORAGE_ACCOUNT", "TF_BACKEND_CONTAINER")


class Skip(Exception):
    """Not configured for this: the workflow shows the message as a notice and succeeds."""


def flavour(infra: Path = INFRA) -> str:
    return "bicep" if (infra / "main.bicep").is_file() else "terraform"


def env_file(env: str, infra: Path = INFRA) -> Path:
    suffix = "bicepparam" if flavour(infra) == "bicep" else "tfvars"
    path = infra / "env" / f"{env}.{suffix}"
    if not path.is_file():
        raise ValueError(f"{path}: no such parameter file")
    return path


def parameter(path: Path, name: str) -> str:
    """A literal value of one parameter in a .bicepparam / .tfvars file ('' if not literal)."""
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^\s*(?:param\s+)?{name}\s*=\s*['\"]([^'\"]*)['\"]", text, re.MULTILINE)
    return match.group(1) if match else ""


def app_exists_command(app: str, resource_group: str) -> list[str]:
    return [
        "az",
        "containerapp",
        "show",
        "-n",
        app,
        "-g",
        resource_group,
        "--query",
        "name",
        "-o",
        "tsv",
    ]


def bicep_command(action: str, path: Path, location: str, name: str) -> list[str]:
    verb = "create" if action == "provision" else "what-if"
    command = ["az", "deployment", "sub", verb, "--name", name, "--location", location]
    command += ["--template-file", str(INFRA / "main.bicep"), "--parameters", str(path)]
    if action == "preview":
        command += ["--validation-level", "ProviderNoRbac"]
    return command


def terraform_commands(action: str, path: Path, environment: Mapping[str, str]) -> list[list[str]]:
    missing = [v for v in BACKEND_VARS if not environment.get(v)]
    if missing:
        raise Skip(
            "Terraform state lives in a remote backend for CI: set the repository variables "
            + ", ".join(missing)
            + " (docs/infra.md)"
        )
    key = environment.get("TF_BACKEND_KEY") or f"{path.stem}.tfstate"
    init = ["terraform", f"-chdir={INFRA}", "init", "-input=false"]
    init += [f"-backend-config=resource_group_name={environment['TF_BACKEND_RESOURCE_GROUP']}"]
    init += [f"-backend-config=storage_account_name={environment['TF_BACKEND_STORAGE_ACCOUNT']}"]
    init += [f"-backend-config=container_name={environment['TF_BACKEND_CONTAINER']}"]
    init += [f"-backend-config=key={key}", "-backend-config=use_azuread_auth=true"]
    var_file = f"-var-file={path.relative_to(INFRA)}"
    if action == "preview":
        run = ["terraform", f"-chdir={INFRA}", "plan", "-input=false", "-lock=false", var_file]
    else:
        run = ["terraform", f"-chdir={INFRA}", "apply", "-input=false", "-auto-approve", var_file]
    return [init, run]


BACKEND_OVERRIDE = 'terraform {\n  backend "azurerm" {}\n}\n'


def _run(
    command: Sequence[str], environment: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    capture = command[:2] == ["git", "remote"] or command[:2] == ["az", "containerapp"]
    return subprocess.run(
        list(command), env=dict(environment), text=True, check=False, capture_output=capture
    )


def plan(action: str, env: str, environment: Mapping[str, str]) -> list[list[str]]:
    """The commands to run for one environment."""
    path = env_file(env)
    if flavour() == "terraform":
        return terraform_commands(action, path, environment)
    location = environment.get("AZURE_LOCATION") or parameter(path, "location")
    if not location:
        raise ValueError(f"no location: set AZURE_LOCATION or a literal location in {path}")
    name = (
        f"{parameter(path, 'environmentName') or env}-{environment.get('GITHUB_RUN_ID', 'local')}"
    )
    return [bicep_command(action, path, location, name)]


def main(argv: Sequence[str] | None = None, runner: Runner = _run) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.infra", description=__doc__)
    parser.add_argument("action", choices=["provision", "preview"])
    parser.add_argument(
        "--env", default=os.environ.get("AZURE_ENV", "prod"), choices=["dev", "prod"]
    )
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    environment = dict(os.environ)
    # the inputs the IaC needs from outside it: the repository its credentials trust (the git
    # remote, like make azure-setup) and the API's audience
    if not environment.get("GITHUB_REPOSITORY"):
        from deploy.azure_setup import repository

        remote = runner(["git", "remote", "get-url", "origin"], environment).stdout or ""
        with contextlib.suppress(ValueError):  # then the IaC's own default stands
            environment["GITHUB_REPOSITORY"] = repository(remote)
    environment.setdefault("TF_VAR_github_repository", environment.get("GITHUB_REPOSITORY", ""))
    environment.setdefault("TF_VAR_api_audience", environment.get("AZURE_API_AUDIENCE", ""))
    try:
        commands = plan(args.action, args.env, environment)
        app = environment.get("AZURE_CONTAINERAPP_NAME")
        group = environment.get("AZURE_RESOURCE_GROUP")
        if args.action == "provision":
            exists = False
            if app and group and not args.dry_run:
                exists = runner(app_exists_command(app, group), environment).returncode == 0
            print(f"container app exists: {str(exists).lower()}")
            # Bicep keeps the app's image and traffic only when it knows the app exists
            environment["SERVICE_API_RESOURCE_EXISTS"] = str(exists).lower()
            # API Management's public access must be on when it is created (azurerm docs)
            environment["TF_VAR_apim_public_network_access_enabled"] = str(not exists).lower()
        if flavour() == "terraform" and not args.dry_run:
            (INFRA / "backend_override.tf").write_text(BACKEND_OVERRIDE, encoding="utf-8")
    except Skip as exc:
        print(f"::notice title=infra {args.action} skipped::{exc}")
        return 0
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for command in commands:
        print(f"$ {shlex.join(command)}", flush=True)
        if not args.dry_run and runner(command, environment).returncode != 0:
            print(f"error: {command[0]} {command[1]} failed", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
