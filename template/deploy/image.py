"""Build the container image once, in Azure Container Registry (``az acr build``).

Prints the full image reference and hands it to later steps as ``image`` (a GitHub step
output; in Azure Pipelines the variable ``IMAGE`` of the job's later steps).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from deploy import ci
from deploy.azure import AzureError, Runner, check_name, run_az


def build_commands(registry: str, repository: str, tag: str, dockerfile: str) -> list[list[str]]:
    if not re.fullmatch(r"[a-zA-Z0-9]{5,50}", registry):
        raise ValueError(f"registry {registry!r} is not a registry name")
    check_name(repository, "image repository")
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag):
        raise ValueError(f"tag {tag!r} is not a valid image tag")
    return [
        ["az", "acr", "build", "--registry", registry, "--image", f"{repository}:{tag}",
         "--file", dockerfile, "."],
        ["az", "acr", "show", "-n", registry, "--query", "loginServer", "-o", "tsv"],
    ]  # fmt: skip


def build(
    registry: str, repository: str, tag: str, dockerfile: str, runner: Runner = run_az
) -> str:
    if not Path(dockerfile).is_file():
        raise ValueError(f"{dockerfile}: no such file")
    build_cmd, server_cmd = build_commands(registry, repository, tag, dockerfile)
    runner(build_cmd)
    server = runner(server_cmd).strip()
    return f"{server}/{repository}:{tag}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.image", description=__doc__)
    parser.add_argument("--dockerfile", default="Dockerfile")
    parser.add_argument("--tag", default=ci.commit_sha())
    args = parser.parse_args(argv)
    registry = os.environ.get("AZURE_CONTAINER_REGISTRY", "")
    repository = os.environ.get("AZURE_CONTAINERAPP_NAME", "")
    try:
        if not registry or not repository or not args.tag:
            raise ValueError("set AZURE_CONTAINER_REGISTRY, AZURE_CONTAINERAPP_NAME and a tag")
        image = build(registry, repository, args.tag, args.dockerfile)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AzureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(image)
    ci.set_outputs({"image": image})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
