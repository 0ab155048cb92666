"""The gate's configuration: ``evals/thresholds.yaml`` and ``evals/variants.yaml``.

Thresholds live in the repository so a change to them is reviewed like code. Every metric
named in ``floors`` or ``regression`` is *required*: a run that does not produce it fails.
A model provider may bring its own floors, row cap and token prices (``providers:``): an
extractive offline model and a paraphrasing LLM are not held to the same ROUGE floor.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eval.errors import UsageError
from eval.use_cases import SUITES

PROVIDERS = ("local", "azure_openai", "openai", "openai_compatible")
SUITE_KEYS = ("floors", "regression", "judge_floors", "judges", "min_items")


@dataclass(frozen=True)
class SuiteConfig:
    """What one use case is scored on and what it must reach."""

    name: str
    dataset: Path
    min_items: int
    floors: dict[str, float]
    regression: dict[str, float]
    judge_floors: dict[str, float]
    judges: tuple[str, ...]
    k: int = 5
    primary: str = ""
    files: dict[str, Path] = field(default_factory=dict)

    def required_metrics(self, judged: bool) -> set[str]:
        names = set(self.floors) | set(self.regression)
        return names | set(self.judge_floors) if judged else names


@dataclass(frozen=True)
class Cost:
    """Token prices of a provider, for the cost line of a run (not a bill: list prices)."""

    prompt_per_million: float = 0.0
    completion_per_million: float = 0.0
    currency: str = "USD"

    def of(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.prompt_per_million
            + completion_tokens * self.completion_per_million
        ) / 1_000_000


@dataclass(frozen=True)
class ProviderProfile:
    """What differs per model provider: suite keys replaced wholesale, a row cap, prices."""

    name: str
    max_items: int | None = None
    cost: Cost = field(default_factory=Cost)
    suites: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class JudgeConfig:
    """An OpenAI-compatible chat-completions endpoint used as LLM judge (optional).

    ``auth``: ``key`` sends ``api_key`` as a bearer token (when set); ``azure`` sends an Entra
    ID token (DefaultAzureCredential: the OIDC login in CI, managed identity, or az login).
    """

    base_url: str
    model: str
    api_key: str = ""
    #: None: not sent (reasoning models, the default chat model among them, reject it)
    temperature: float | None = None
    #: sent as max_completion_tokens, which reasoning and other models accept alike
    max_tokens: int = 300
    timeout_s: float = 60.0
    auth: str = "key"


@dataclass(frozen=True)
class EvalConfig:
    root: Path
    suites: tuple[str, ...]
    suite_configs: dict[str, SuiteConfig]
    max_error_rate: float
    baseline_dir: Path
    results_dir: Path
    cache_path: Path
    confidence: float
    resamples: int
    seed: int
    concurrency: int
    timeout_s: float
    judge: JudgeConfig | None
    thresholds_file: Path | None = None  # the file it was read from (--thresholds)
    providers: dict[str, ProviderProfile] = field(default_factory=dict)

    def profile(self, provider: str) -> ProviderProfile:
        return self.providers.get(provider) or ProviderProfile(provider)

    def suite_for(self, name: str, provider: str) -> SuiteConfig:
        """The suite as ``provider`` is gated: its profile's keys replace the suite's own."""
        base = self.suite_configs[name]
        profile = self.profile(provider)
        override = profile.suites.get(name, {})
        suite = replace(base, **override) if override else base
        if profile.max_items is not None and profile.max_items < suite.min_items:
            raise UsageError(
                f"providers.{provider}.max_items ({profile.max_items}) is below "
                f"{name}.min_items ({suite.min_items}): the capped run could never pass"
            )
        return suite

    def baseline_for(self, provider: str) -> Path:
        """One baseline per provider: a gate never compares a model with another's record."""
        return self.baseline_dir / provider


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"{where} must be a mapping")
    return value


def _numbers(value: Any, where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, number in _mapping(value, where).items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise UsageError(f"{where}.{key} must be a number (got {number!r})")
        out[str(key)] = float(number)
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise UsageError(f"config not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: invalid YAML ({exc})") from None
    return _mapping(data, str(path))


def judge_from_env(env: dict[str, str] | None = None) -> JudgeConfig | None:
    """A judge is configured when EVAL_JUDGE_BASE_URL and EVAL_JUDGE_MODEL are both set."""
    env = dict(os.environ if env is None else env)
    base_url, model = env.get("EVAL_JUDGE_BASE_URL", ""), env.get("EVAL_JUDGE_MODEL", "")
    if not base_url and not model:
        return None
    if not (base_url and model):
        raise UsageError("set both EVAL_JUDGE_BASE_URL and EVAL_JUDGE_MODEL, or neither")
    auth = env.get("EVAL_JUDGE_AUTH", "key")
    if auth not in ("key", "azure"):
        raise UsageError(f"EVAL_JUDGE_AUTH must be 'key' or 'azure' (got {auth!r})")
    return JudgeConfig(
        base_url=base_url.rstrip("/"),
        model=model,
        api_key=env.get("EVAL_JUDGE_API_KEY", ""),
        auth=auth,
    )


def _suite_override(value: Any, where: str) -> dict[str, Any]:
    section = _mapping(value, where)
    unknown = set(section) - set(SUITE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {sorted(unknown)} (allowed: {SUITE_KEYS})")
    out: dict[str, Any] = {}
    for key in ("floors", "regression", "judge_floors"):
        if key in section:
            out[key] = _numbers(section[key], f"{where}.{key}")
    if "judges" in section:
        out["judges"] = tuple(section["judges"] or ())
    if "min_items" in section:
        out["min_items"] = int(section["min_items"])
    return out


def _profiles(value: Any, path: Path) -> dict[str, ProviderProfile]:
    profiles: dict[str, ProviderProfile] = {}
    for name, raw in _mapping(value, f"{path}:providers").items():
        if name not in PROVIDERS:
            raise UsageError(f"{path}: providers.{name} is not one of {', '.join(PROVIDERS)}")
        section = _mapping(raw, f"providers.{name}")
        unknown = set(section) - {"max_items", "cost", *SUITES}
        if unknown:
            raise UsageError(f"{path}: providers.{name}: unknown key(s) {sorted(unknown)}")
        prices = _mapping(section.get("cost"), f"providers.{name}.cost")
        numbers = _numbers(
            {k: v for k, v in prices.items() if k != "currency"}, f"providers.{name}.cost"
        )
        unknown_prices = set(numbers) - {"prompt_per_million", "completion_per_million"}
        if unknown_prices:
            raise UsageError(f"{path}: providers.{name}.cost: unknown {sorted(unknown_prices)}")
        max_items = section.get("max_items")
        if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
            raise UsageError(f"{path}: providers.{name}.max_items must be a positive integer")
        profiles[name] = ProviderProfile(
            name=name,
            max_items=max_items,
            cost=Cost(**numbers, currency=str(prices.get("currency", "USD"))),
            suites={
                s: _suite_override(section[s], f"providers.{name}.{s}")
                for s in SUITES
                if s in section
            },
        )
    return profiles


def load_config(root: Path, thresholds: Path | None = None) -> EvalConfig:
    """Parse ``evals/thresholds.yaml`` under ``root`` into an :class:`EvalConfig`."""
    path = thresholds or root / "evals" / "thresholds.yaml"
    data = read_yaml(path)
    suites = tuple(data.get("suites") or ())
    unknown = [s for s in suites if s not in SUITES]
    if not suites or unknown:
        raise UsageError(
            f"{path}: 'suites' must list some of {', '.join(SUITES)} (got {list(suites)})"
        )
    configs: dict[str, SuiteConfig] = {}
    for name in SUITES:
        if name not in data:
            continue
        section = _mapping(data[name], f"{path}:{name}")
        if "dataset" not in section:
            raise UsageError(f"{path}: {name}.dataset is required")
        configs[name] = SuiteConfig(
            name=name,
            dataset=root / str(section["dataset"]),
            min_items=int(section.get("min_items", 1)),
            floors=_numbers(section.get("floors"), f"{name}.floors"),
            regression=_numbers(section.get("regression"), f"{name}.regression"),
            judge_floors=_numbers(section.get("judge_floors"), f"{name}.judge_floors"),
            judges=tuple(section.get("judges") or ()),
            k=int(section.get("k", 5)),
            primary=str(section.get("primary", "")),
            files={
                k: root / str(v) for k, v in _mapping(section.get("files"), f"{name}.files").items()
            },
        )
    missing = [s for s in suites if s not in configs]
    if missing:
        raise UsageError(f"{path}: no section for suite(s) {', '.join(missing)}")
    regression = _mapping(data.get("regression"), "regression")
    run = _mapping(data.get("run"), "run")
    max_error_rate = float(data.get("max_error_rate", 0.0))
    if not 0.0 <= max_error_rate <= 1.0:
        raise UsageError(f"{path}: max_error_rate must be between 0 and 1")
    judge = judge_from_env()
    if judge is not None:
        settings = _mapping(data.get("judge"), "judge")
        judge = JudgeConfig(
            base_url=judge.base_url,
            model=judge.model,
            api_key=judge.api_key,
            temperature=(
                None if settings.get("temperature") is None else float(settings["temperature"])
            ),
            max_tokens=int(settings.get("max_completion_tokens", settings.get("max_tokens", 300))),
            timeout_s=float(settings.get("timeout_s", 60.0)),
            auth=judge.auth,
        )
    config = EvalConfig(
        root=root,
        suites=suites,
        suite_configs=configs,
        max_error_rate=max_error_rate,
        baseline_dir=root / str(regression.get("baseline", "evals/baseline")),
        # EVAL_RESULTS_DIR / EVAL_CACHE_PATH let CI and tests keep artifacts elsewhere
        results_dir=Path(
            os.environ.get("EVAL_RESULTS_DIR") or root / str(run.get("results", "evals/results"))
        ),
        cache_path=Path(
            os.environ.get("EVAL_CACHE_PATH")
            or root / str(run.get("cache", "evals/.cache/responses.sqlite"))
        ),
        confidence=float(regression.get("confidence", 0.95)),
        resamples=int(regression.get("resamples", 10_000)),
        seed=int(regression.get("seed", 12345)),
        concurrency=int(run.get("concurrency", 16)),
        timeout_s=float(run.get("timeout_s", 120.0)),
        judge=judge,
        thresholds_file=path,
        providers=_profiles(data.get("providers"), path),
    )
    for provider in config.providers:  # a conflict is a usage error now, not after the run
        for name in configs:
            config.suite_for(name, provider)
    return config


def load_variants(root: Path) -> dict[str, dict[str, Any]]:
    """Named settings overrides from ``evals/variants.yaml`` (used by compare and eval)."""
    path = root / "evals" / "variants.yaml"
    data = read_yaml(path) if path.is_file() else {}
    variants = _mapping(data.get("variants"), "variants")
    return {str(k): _mapping(v, f"variants.{k}") for k, v in variants.items()}


def resolve_variant(root: Path, spec: str) -> tuple[str, dict[str, Any]]:
    """A variant name from variants.yaml, or inline ``key=value,key=value`` settings."""
    if "=" not in spec:
        variants = load_variants(root)
        if spec not in variants:
            known = ", ".join(sorted(variants)) or "none"
            raise UsageError(f"unknown variant '{spec}' (known: {known}; or use key=value)")
        return spec, dict(variants[spec])
    overrides: dict[str, Any] = {}
    import yaml

    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"bad variant setting '{part}' (expected key=value)")
        overrides[key.strip()] = yaml.safe_load(value) if value.strip() else ""
    return spec, overrides
