"""Build the container image once, in Azure Container Registry (``az acr build``).

Prints the full image reference and hands it to later steps as ``image`` (with its
``name`` and ``digest``): GitHub step outputs; in Azure Pipelines the variables
``IMAGE``, ``NAME`` and ``DIGEST`` of the job's later steps. In the prod profile the
registry is private: ``AZURE_ACR_AGENT_POOL`` names the ACR Tasks agent pool inside
the VNet that runs the build, so no runner needs network access to the registry.
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


def build_command(
    registry: str, repository: str, tag: str, dockerfile: str, agent_pool: str = ""
) -> list[str]:
    if not re.fullmatch(r"[a-zA-Z0-9]{5,50}", registry):
        raise ValueError(f"registry {registry!r} is not a registry name")
    check_name(repository, "image repository")
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag):
        raise ValueError(f"tag {tag!r} is not a valid image tag")
    command = ["az", "acr", "build", "--registry", registry, "--image", f"{repository}:{tag}"]
    if agent_pool:
        check_name(agent_pool, "agent pool")
        command += ["--agent-pool", agent_pool]
    return [*command, "--file", dockerfile, "."]


_DIGEST = re.compile(r"\bdigest\W{1,4}(sha256:[0-9a-f]{64})")


def digest_of(output: str) -> str:
    """The pushed image's digest from `az acr build`'s output (its log or its JSON run result)."""
    found = _DIGEST.findall(output)
    if not found:
        raise AzureError("az acr build reported no image digest: cannot attest the image")
    return str(found[-1])


def build(
    registry: str,
    server: str,
    repository: str,
    tag: str,
    dockerfile: str,
    agent_pool: str = "",
    runner: Runner = run_az,
) -> tuple[str, str]:
    """(image reference, digest) of the image built and pushed by the registry."""
    if not Path(dockerfile).is_file():
        raise ValueError(f"{dockerfile}: no such file")
    if not re.fullmatch(r"[a-z0-9]+\.azurecr\.io", server):
        raise ValueError(f"registry endpoint {server!r} is not <name>.azurecr.io")
    output = runner(build_command(registry, repository, tag, dockerfile, agent_pool))
    return f"{server}/{repository}:{tag}", digest_of(output)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.image", description=__doc__)
    parser.add_argument("--dockerfile", default="Dockerfile")
    parser.add_argument("--tag", default=ci.commit_sha())
    args = parser.parse_args(argv)
    registry = os.environ.get("AZURE_CONTAINER_REGISTRY", "")
    server = os.environ.get("AZURE_CONTAINER_REGISTRY_ENDPOINT", "")
    repository = os.environ.get("AZURE_CONTAINERAPP_NAME", "")
    try:
        if not registry or not server or not repository or not args.tag:
            raise ValueError(
                "set AZURE_CONTAINER_REGISTRY, AZURE_CONTAINER_REGISTRY_ENDPOINT,"
                " AZURE_CONTAINERAPP_NAME and a tag"
            )
        pool = os.environ.get("AZURE_ACR_AGENT_POOL", "")
        image, digest = build(registry, server, repository, args.tag, args.dockerfile, pool)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AzureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(image)
    ci.set_outputs({"image": image, "name": image.rsplit(":", 1)[0], "digest": digest})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
