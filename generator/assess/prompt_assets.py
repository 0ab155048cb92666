"""Prompt assets as collected facts: which files are prompts and what metadata they carry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from generator.assess.collect import parse_yaml
from generator.assess.datasets import PLACEHOLDER

if TYPE_CHECKING:
    from generator.assess.collect import Repo

_FRONT = re.compile(r"\A\ufeff?\s*---\s*\n(.*?)\n---\s*\n", re.S)
# docs, tests, fixtures and a generator's templates are about prompts, not the app's prompts
_NOT_PROMPTS = re.compile(
    r"(^|/)(docs?|tests?|fixtures?|examples?|samples?|node_modules|\.github|workshop)/|\{\{|\{%",
    re.I,
)
PROMPT_EXTS = (".txt", ".md", ".yaml", ".yml", ".json", ".jinja", ".jinja2", ".j2", ".prompty")


def find_prompt_files(repo: Repo) -> list[str]:
    """Non-trivial prompt assets outside docs, tests, fixtures and a generator's templates."""
    files = [
        p
        for p in repo.glob("**/prompts/**")
        if (p.endswith(PROMPT_EXTS) or (p.endswith(".py") and not p.endswith("__init__.py")))
        and not p.rsplit("/", 1)[-1].lower().startswith("readme")
        and not _NOT_PROMPTS.search(p)
    ]
    files += [
        p
        for p in repo.glob("**/*.{prompty,jinja2}")
        + repo.glob("**/flow.{dag,flex}.yaml")
        + repo.glob("**/*prompt*.{txt,jinja,j2}")
        if p not in files and not _NOT_PROMPTS.search(p)
    ]
    real = []
    for rel in files:
        text = repo.text(rel) or ""
        if len("".join(text.split())) >= 40 and not PLACEHOLDER.match(text.strip()[:100]):
            real.append(rel)
    return real


def read_metadata(repo: Repo, rel: str) -> dict[str, Any]:
    """A prompt's metadata: front matter, or the YAML/JSON document itself (keys lower-cased)."""
    text = repo.text(rel) or ""
    m = _FRONT.match(text)
    data: Any = None
    if m:
        data = parse_yaml(
            m.group(1),
            rt=False,
            on_error=lambda msg, ln: repo.note(
                "invalid-yaml", rel, f"invalid front matter: {msg}", ln
            ),
        )
    elif rel.endswith((".yaml", ".yml")):
        data = repo.yaml(rel)
    elif rel.endswith(".json"):
        data = repo.json(rel)
    return {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}
