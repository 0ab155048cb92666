"""A stand-in for the GitHub CLI with the calls the delivery scripts make (issues and PRs).

State (open issues and pull requests) lives in FAKE_GH_STATE; every call goes to FAKE_GH_LOG.
Unknown sub-commands exit 1 like gh does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def main(argv: list[str]) -> int:
    with Path(os.environ["FAKE_GH_LOG"]).open("a") as sink:
        sink.write(json.dumps(["gh", *argv]) + "\n")
    path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(path.read_text()) if path.exists() else {"issues": [], "prs": []}
    state.setdefault("variables", {})
    state.setdefault("environments", [])
    words = tuple(argv[:2])
    if words == ("issue", "list"):
        label = option(argv, "--label")
        numbers = [i["number"] for i in state["issues"] if label in i["labels"]]
        print(numbers[0] if numbers else "")
    elif words == ("variable", "set"):
        # gh variable set NAME --body VALUE [--repo R] [--env E]
        scope = option(argv, "--env") if "--env" in argv else "repository"
        state["variables"].setdefault(scope, {})[argv[2]] = option(argv, "--body")
    elif words[0] == "api" and "--method" in argv and option(argv, "--method") == "PUT":
        match = next(a for a in argv[1:] if a.startswith("repos/"))
        state["environments"].append(match.rsplit("/", 1)[1])
    elif words == ("label", "create"):
        pass
    elif words == ("issue", "create"):
        number = 100 + len(state["issues"])
        body = Path(option(argv, "--body-file")).read_text()
        state["issues"].append(
            {"number": number, "labels": [option(argv, "--label")], "body": body, "comments": []}
        )
        print(f"https://github.com/o/r/issues/{number}")
    elif words == ("issue", "comment"):
        issue = next(i for i in state["issues"] if str(i["number"]) == argv[2])
        issue["comments"].append(Path(option(argv, "--body-file")).read_text())
    elif words == ("pr", "list"):
        head = option(argv, "--head")
        numbers = [p["number"] for p in state["prs"] if p["head"] == head]
        print(numbers[0] if numbers else "")
    elif words == ("pr", "create"):
        number = 200 + len(state["prs"])
        state["prs"].append(
            {
                "number": number,
                "head": option(argv, "--head"),
                "base": option(argv, "--base"),
                "title": option(argv, "--title"),
                "body": option(argv, "--body"),
                "comments": [],
            }
        )
        print(f"https://github.com/o/r/pull/{number}")
    elif words == ("pr", "comment"):
        pr = next(p for p in state["prs"] if str(p["number"]) == argv[2])
        pr["comments"].append(option(argv, "--body"))
    else:
        print(f"unknown command {' '.join(argv[:2])} for gh", file=sys.stderr)
        return 1
    path.write_text(json.dumps(state, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
