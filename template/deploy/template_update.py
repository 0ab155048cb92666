"""Keep up with the genaiops template, like Renovate does for dependencies.

Runs ``genaiops update`` on a clean checkout; when the template moved on, commits the result
(conflict markers included, so a person resolves them in review) on one branch, pushes it
and opens a pull request, or refreshes the one already open. Argument lists only.

genaiops is not a package on an index: it is installed from the template's canonical git
repository recorded in ``.copier-answers.yml`` (``_src_path``), pinned to that repository's
newest release tag (``uvx --from git+<url>@<tag> genaiops``). ``GENAIOPS`` overrides it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from deploy import ci

BRANCH = "genaiops/template-update"
Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def template_commit(answers: Path = Path(".copier-answers.yml")) -> str:
    match = re.search(r"^_commit:\s*(\S+)", answers.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else "unknown"


def template_source(answers: Path = Path(".copier-answers.yml")) -> str:
    text = answers.read_text(encoding="utf-8") if answers.is_file() else ""
    match = re.search(r"^_src_path:\s*(\S+)", text, re.MULTILINE)
    url = match.group(1) if match else ""
    if not re.fullmatch(r"https://[\w.-]+/[\w./-]+", url):
        raise RuntimeError(f"no canonical template URL in {answers} (_src_path: {url!r})")
    return url


def newest_release(ls_remote: str) -> str:
    """The highest vX.Y.Z tag in `git ls-remote --tags --refs` output."""
    versions = []
    for line in ls_remote.splitlines():
        match = re.search(r"refs/tags/(v(\d+)\.(\d+)\.(\d+))$", line.strip())
        if match:
            versions.append((tuple(int(g) for g in match.groups()[1:]), match.group(1)))
    if not versions:
        raise RuntimeError("the template repository has no vX.Y.Z release tag")
    return max(versions)[1]


def genaiops_command(run: Runner = _run) -> list[str]:
    """uvx running genaiops from its canonical repository, pinned to the newest release."""
    url = template_source()
    proc = run(["git", "ls-remote", "--tags", "--refs", url])
    if proc.returncode != 0:
        raise RuntimeError(f"git ls-remote {url} failed: {proc.stderr.strip()[-300:]}")
    return ["uvx", "--from", f"git+{url}@{newest_release(proc.stdout)}", "genaiops"]


def conflicted(paths: Sequence[str]) -> list[str]:
    marked = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if re.search(r"^<{7} ", text, re.MULTILINE) and re.search(
                r"^>{7} ", text, re.MULTILINE
            ):
                marked.append(name)
    return marked


def update(
    genaiops: Sequence[str],
    base: str,
    remote: str = "origin",
    run: Runner = _run,
    host: str = "github",
) -> str:
    """Returns "current", "opened" or "updated"; raises RuntimeError on a failed step.

    ``host`` is where the pull request goes: ``github`` (the gh CLI) or ``azure_devops``
    (Azure Repos, through the REST API with the job's access token).
    """

    def must(command: Sequence[str]) -> str:
        proc = run(command)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(command)} failed: {(proc.stderr or proc.stdout)[-400:]}"
            )
        return proc.stdout

    if must(["git", "status", "--porcelain"]).strip():
        raise RuntimeError("the working tree is not clean; run on a fresh checkout")
    before = template_commit()
    proc = run([*genaiops, "update", "."])
    print(proc.stdout + proc.stderr, end="")
    changed = [line[3:] for line in must(["git", "status", "--porcelain"]).splitlines()]
    if proc.returncode != 0 and not changed:
        raise RuntimeError(f"genaiops update failed ({proc.returncode})")
    if not changed:
        print(f"template is current ({before})")
        return "current"
    after = template_commit()
    markers = conflicted(changed)
    must(["git", "checkout", "-B", BRANCH])
    must(["git", "add", "-A"])
    title = f"Update the genaiops template ({before} -> {after})"
    must(["git", "commit", "-m", title])
    must(["git", "push", "--force", remote, f"HEAD:refs/heads/{BRANCH}"])
    body = [
        f"`genaiops update` moved this repository from template {before} to {after}.",
        "",
    ]
    if markers:
        body += [
            "**Conflicts to resolve** (markers committed as-is):",
            *[f"- `{m}`" for m in markers],
        ]
    else:
        body.append("No conflicts: review the diff and the CI results.")
    if host == "azure_devops":
        return _azure_devops_pull_request(base, title, "\n".join(body))
    body += [
        "",
        (
            "CI does not start on its own for pull requests opened with the workflow "
            "token: close and reopen this pull request to run it."
        ),
    ]
    open_pr = must(
        [
            "gh",
            "pr",
            "list",
            "--head",
            BRANCH,
            "--state",
            "open",
            "--json",
            "number",
            "--jq",
            ".[0].number",
        ]
    ).strip()
    if open_pr:
        must(["gh", "pr", "comment", open_pr, "--body", "\n".join(body)])
        return "updated"
    must(
        [
            "gh",
            "pr",
            "create",
            "--base",
            base,
            "--head",
            BRANCH,
            "--title",
            title,
            "--body",
            "\n".join(body),
        ]
    )
    return "opened"


def _azure_devops_pull_request(base: str, title: str, body: str) -> str:
    # imported by name: deploy/azure_devops.py exists only where Azure Pipelines are rendered
    azure_devops = importlib.import_module("deploy.azure_devops")
    try:
        project = azure_devops.Project.from_env()
        result: tuple[str, int] = azure_devops.open_or_update_pull_request(
            project, BRANCH, base, title, body
        )
    except (ValueError, azure_devops.AzureDevOpsError) as exc:
        raise RuntimeError(f"Azure Repos pull request: {exc}") from exc
    outcome, number = result
    print(f"pull request {number}: {outcome}")
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.template_update", description=__doc__)
    parser.add_argument("--genaiops", default=os.environ.get("GENAIOPS", ""))
    parser.add_argument("--base", default=ci.branch())
    parser.add_argument(
        "--host",
        choices=["github", "azure_devops"],
        default="azure_devops" if ci.system() == ci.AZURE_PIPELINES else "github",
        help="where to open the pull request (default: the CI system running this)",
    )
    args = parser.parse_args(argv)
    try:
        genaiops = shlex.split(args.genaiops) if args.genaiops else genaiops_command()
        print(f"genaiops: {shlex.join(genaiops)}")
        outcome = update(genaiops, args.base, host=args.host)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"template update: {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
