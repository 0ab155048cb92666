"""LLM judges over any OpenAI-compatible chat-completions endpoint (Azure OpenAI v1, OpenAI,
a local server): rubric prompts from ``eval/judges/*.md``, 1-5 scores, pass at the threshold.

Each verdict is cached by (judge model, prompt hash, inputs) and its token usage is counted,
so re-running an unchanged eval costs nothing and the cost of a run is visible.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.cache import ResponseCache, cache_key
from eval.config import JudgeConfig
from eval.errors import UsageError

JUDGES_DIR = Path(__file__).resolve().parent / "judges"
RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


class JudgeError(Exception):
    """The judge endpoint failed or answered something that is not a verdict."""


def azure_token_provider() -> Any:
    """Entra ID tokens for Azure OpenAI: the CI's OIDC login, a managed identity or az login."""
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError as exc:  # pragma: no cover - azure-identity is an app dependency
        raise UsageError("EVAL_JUDGE_AUTH=azure needs azure-identity") from exc
    scope = "https://cognitiveservices.azure.com/.default"
    return get_bearer_token_provider(DefaultAzureCredential(), scope)


@dataclass(frozen=True)
class Rubric:
    name: str
    version: str
    threshold: int
    inputs: tuple[str, ...]
    template: str
    sha256: str

    def render(self, values: dict[str, str]) -> str:
        text = self.template
        for name in self.inputs:
            text = text.replace("{{" + name + "}}", values.get(name, ""))
        return text


def load_rubric(name: str) -> Rubric:
    """Parse ``eval/judges/<name>.md``: front matter (version, threshold, inputs) + template."""
    import yaml

    path = JUDGES_DIR / f"{name}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in JUDGES_DIR.glob("*.md")))
        raise UsageError(f"unknown judge '{name}' (known: {known})")
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front)
    return Rubric(
        name=name,
        version=str(meta["version"]),
        threshold=int(meta["threshold"]),
        inputs=tuple(meta["inputs"]),
        template=body.strip() + "\n",
        sha256=hashlib.sha256(raw.encode()).hexdigest(),
    )


@dataclass
class Usage:
    """Tokens spent on fresh calls, and tokens that cache hits saved."""

    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    saved_tokens: int = 0
    errors: int = 0
    by_judge: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_verdict(content: str) -> tuple[int, str]:
    """The integer score (1-5) and reason from the judge's reply; anything else is an error."""
    match = _JSON_OBJECT.search(content or "")
    if not match:
        raise JudgeError(f"judge reply is not JSON: {content[:80]!r}")
    try:
        data = json.loads(match.group(0))
        score = int(float(data["score"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise JudgeError(f"judge reply has no numeric score: {content[:80]!r}") from exc
    if not 1 <= score <= 5:
        raise JudgeError(f"judge score {score} is outside 1-5")
    return score, str(data.get("reason", ""))


class JudgeClient:
    """Calls the judge with bounded retries, through the cache."""

    def __init__(
        self, config: JudgeConfig, cache: ResponseCache, retries: int = 3, backoff_s: float = 1.0
    ) -> None:
        import httpx

        self.config = config
        self.cache = cache
        self.retries = retries
        self.backoff_s = backoff_s
        self.usage = Usage()
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._token = azure_token_provider() if config.auth == "azure" else None
        self._client = httpx.AsyncClient(
            base_url=config.base_url, timeout=config.timeout_s, headers=headers
        )

    def describe(self, rubrics: list[Rubric]) -> dict[str, Any]:
        """Judge settings for config.json (never the key)."""
        return {
            "base_url": self.config.base_url,
            "model": self.config.model,
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
            "auth": self.config.auth,
            "rubrics": {
                r.name: {"version": r.version, "sha256": r.sha256, "threshold": r.threshold}
                for r in rubrics
            },
        }

    async def _complete(self, prompt: str) -> dict[str, Any]:
        import httpx

        body = {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": "You are a strict evaluator. Reply with JSON only."},
                {"role": "user", "content": prompt},
            ],
            "max_completion_tokens": self.config.max_tokens,
        }
        if self.config.temperature is not None:
            body["temperature"] = self.config.temperature
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            try:
                headers = {}
                if self._token is not None:  # cached by azure-identity until near expiry
                    token = await asyncio.to_thread(self._token)
                    headers["Authorization"] = f"Bearer {token}"
                response = await self._client.post("/chat/completions", json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise JudgeError(f"judge unreachable: {type(exc).__name__}: {exc}") from exc
            except Exception as exc:  # the credential failed: no token, no verdict
                if self._token is None or attempt == self.retries:
                    raise JudgeError(f"judge auth failed: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code < 400:
                    return dict(response.json())
                if response.status_code not in RETRY_STATUS or attempt == self.retries:
                    raise JudgeError(f"judge HTTP {response.status_code}: {response.text[:120]}")
                after = response.headers.get("retry-after", "")
                delay = float(after) if after.replace(".", "", 1).isdigit() else delay
            await asyncio.sleep(min(delay, 30.0))
            delay *= 2
        raise JudgeError("unreachable")  # pragma: no cover

    async def judge(self, rubric: Rubric, values: dict[str, str]) -> dict[str, Any]:
        """One verdict: ``{score, passed, reason, cached, usage}``."""
        key = cache_key(
            judge_model=self.config.model,
            temperature=self.config.temperature,
            prompt=rubric.sha256,
            inputs={k: values.get(k, "") for k in rubric.inputs},
        )
        cached = self.cache.get(key, "judge")
        if cached is not None:
            self.usage.cache_hits += 1
            self.usage.saved_tokens += int(cached["usage"].get("total_tokens", 0))
            return {**cached, "cached": True}
        try:
            reply = await self._complete(rubric.render(values))
            content = reply["choices"][0]["message"]["content"]
            score, reason = parse_verdict(content)
        except (JudgeError, KeyError, IndexError, TypeError, ValueError) as exc:
            self.usage.errors += 1
            raise JudgeError(str(exc)) from exc
        usage = {
            k: int(reply.get("usage", {}).get(k, 0))
            for k in ("prompt_tokens", "completion_tokens", "total_tokens")
        }
        self.usage.calls += 1
        self.usage.by_judge[rubric.name] = self.usage.by_judge.get(rubric.name, 0) + 1
        self.usage.prompt_tokens += usage["prompt_tokens"]
        self.usage.completion_tokens += usage["completion_tokens"]
        self.usage.total_tokens += usage["total_tokens"]
        verdict = {
            "score": score,
            "passed": score >= rubric.threshold,
            "reason": reason,
            "usage": usage,
            "model": reply.get("model", self.config.model),
        }
        self.cache.put(key, "judge", verdict)
        return {**verdict, "cached": False}

    async def aclose(self) -> None:
        await self._client.aclose()
