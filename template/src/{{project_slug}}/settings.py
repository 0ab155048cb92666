"""One typed settings object, read from ``APP_*`` environment variables and ``.env``.

Everything that differs between a laptop, CI and Azure is here, so switching provider or store is
configuration, never a code change. Secrets are ``SecretStr`` and never have defaults.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import DEFAULT_USE_CASE
from .use_cases import NAMES as USE_CASES

Provider = Literal["local", "azure_openai", "openai", "openai_compatible"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # what the app does (an entry of use_cases.json) and which revision is running (Container
    # Apps sets CONTAINER_APP_REVISION)
    use_case: str = DEFAULT_USE_CASE
    revision: str = Field(
        default="local", validation_alias=AliasChoices("APP_REVISION", "CONTAINER_APP_REVISION")
    )

    # model providers: chat and embeddings (embeddings default to the chat provider)
    provider: Provider = "local"
    embedding_provider: Provider | None = None
    local_embedding: Literal["hashing"] = "hashing"
    chat_model: str = "gpt-5.4-mini"  # a reasoning model: prompts set max_completion_tokens
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int = Field(default=512, ge=16, le=8192)
    azure_openai_endpoint: str | None = None
    # the GA 2024-10-21 chat schema has max_tokens only; reasoning models (the default chat model)
    # take max_completion_tokens, which the 2025-04-01-preview schema has
    azure_openai_api_version: str = "2025-04-01-preview"
    azure_openai_chat_deployment: str | None = None
    azure_openai_embedding_deployment: str | None = None
    # only when explicitly configured; Entra ID otherwise
    azure_openai_api_key: SecretStr | None = None
    azure_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("APP_AZURE_CLIENT_ID", "AZURE_CLIENT_ID")
    )
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None  # any OpenAI-compatible server: Ollama, vLLM, llama.cpp
    request_timeout_s: float = Field(default=30.0, gt=0)
    request_max_retries: int = Field(default=2, ge=0, le=10)

    # prompts
    prompts_path: Path = Path("prompts")
    prompt_variant: str = "default"

    # grounding data, chunking and retrieval
    docs_path: Path = Path("data/docs")
    index_path: Path = Path("data/index/index.sqlite")
    chunk_size: int = Field(default=800, ge=100, le=8000)
    chunk_overlap: int = Field(default=120, ge=0)
    top_k: int = Field(default=5, ge=1, le=50)
    rrf_k: int = Field(default=60, ge=1)
    search_backend: Literal["sqlite", "azure_ai_search"] = "sqlite"
    azure_search_endpoint: str | None = None
    azure_search_index: str = "grounding-docs"
    azure_search_api_key: SecretStr | None = None

    # classification (log triage)
    categories_path: Path = Path("data/categories.yaml")

    # API limits: every field is bounded, so the cost of a request is bounded before a model call
    max_question_chars: int = Field(default=2000, ge=1, le=100_000)
    max_text_chars: int = Field(default=20000, ge=1, le=1_000_000)
    max_history_turns: int = Field(default=10, ge=0, le=100)
    max_turn_chars: int = Field(default=4000, ge=1, le=100_000)
    max_input_chars: int = Field(default=24_000, ge=1, le=2_000_000)  # question + all history
    max_body_bytes: int = Field(default=256_000, ge=1024)
    rate_limit_per_minute: int = Field(default=0, ge=0)  # per caller and process; 0 disables

    # auth
    auth_mode: Literal["none", "api_key", "entra"] = "none"
    api_keys: list[SecretStr] = Field(default_factory=list)
    entra_tenant_id: str | None = None
    entra_audience: str | None = None
    entra_jwks_url: str | None = None  # defaults to the tenant's public keys
    entra_required_scopes: list[str] = Field(default_factory=list)  # delegated: any of these
    entra_required_roles: list[str] = Field(default_factory=list)  # app roles: any of these
    entra_allowed_client_ids: list[str] = Field(default_factory=list)  # azp/appid; empty: any

    # the app store: requests, feedback and chat sessions
    store_backend: Literal["sqlite", "azure_tables"] = "sqlite"
    feedback_path: Path = Path("data/feedback/app.sqlite")  # the SQLite store (all three tables)
    azure_tables_endpoint: str | None = None  # https://<account>.table.core.windows.net
    azure_tables_connection_string: SecretStr | None = None  # Azurite or a key; keyless if unset
    session_ttl_s: int = Field(default=3600, ge=60)
    session_max_tokens: int = Field(default=3000, ge=100)  # history kept for the model

    # web UI (served at /) and how the server runs
    ui_enabled: bool = True
    ui_prompt_variants: list[str] = Field(default_factory=list)  # variants a user may pick

    # guardrails
    guard: Literal["rules", "azure_content_safety"] = "rules"
    content_safety_endpoint: str | None = None
    content_safety_api_key: SecretStr | None = None
    guard_fail_open: bool = False

    # telemetry
    telemetry_exporter: Literal["none", "console", "otlp", "azure_monitor"] = "console"
    otlp_endpoint: str | None = None
    applicationinsights_connection_string: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "APP_APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_CONNECTION_STRING"
        ),
    )

    @field_validator("use_case")
    @classmethod
    def _known_use_case(cls, value: str) -> str:
        if value not in USE_CASES:
            raise ValueError(f"use_case must be one of {', '.join(USE_CASES)} (got {value!r})")
        return value

    @property
    def effective_embedding_provider(self) -> Provider:
        return self.embedding_provider or self.provider

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        """Fail at start-up with one clear line instead of at the first request."""
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        needs = {
            "azure_openai": ["azure_openai_endpoint", "azure_openai_chat_deployment"],
            "openai": ["openai_api_key"],
            "openai_compatible": ["openai_base_url"],
        }
        for name in needs.get(self.provider, []):
            if not getattr(self, name):
                raise ValueError(f"provider={self.provider} needs APP_{name.upper()}")
        embed = self.effective_embedding_provider
        if embed == "azure_openai" and not self.azure_openai_embedding_deployment:
            raise ValueError(
                "embeddings via azure_openai need APP_AZURE_OPENAI_EMBEDDING_DEPLOYMENT "
                "(or set APP_EMBEDDING_PROVIDER=local)"
            )
        urls = (
            "azure_openai_endpoint",
            "azure_search_endpoint",
            "content_safety_endpoint",
            "azure_tables_endpoint",
        )
        for name in urls:
            url = getattr(self, name)
            if url and not _secure_or_local(url):
                raise ValueError(f"APP_{name.upper()} must be an https:// URL")
        if self.search_backend == "azure_ai_search" and not self.azure_search_endpoint:
            raise ValueError("search_backend=azure_ai_search needs APP_AZURE_SEARCH_ENDPOINT")
        if self.auth_mode == "api_key" and not self.api_keys:
            raise ValueError('auth_mode=api_key needs APP_API_KEYS (a JSON list, e.g. ["..."])')
        if self.auth_mode == "entra" and not (self.entra_tenant_id and self.entra_audience):
            raise ValueError("auth_mode=entra needs APP_ENTRA_TENANT_ID and APP_ENTRA_AUDIENCE")
        if self.auth_mode == "entra" and not (
            self.entra_required_scopes or self.entra_required_roles
        ):
            raise ValueError(
                "auth_mode=entra needs APP_ENTRA_REQUIRED_SCOPES or APP_ENTRA_REQUIRED_ROLES "
                '(JSON lists, e.g. ["Workload.Invoke"]): a valid token alone is not a permission'
            )
        if self.store_backend == "azure_tables" and not (
            self.azure_tables_endpoint or self.azure_tables_connection_string
        ):
            raise ValueError("store_backend=azure_tables needs APP_AZURE_TABLES_ENDPOINT")
        if self.max_question_chars > self.max_input_chars:
            raise ValueError("max_question_chars must not exceed max_input_chars")
        if self.guard == "azure_content_safety" and not self.content_safety_endpoint:
            raise ValueError("guard=azure_content_safety needs APP_CONTENT_SAFETY_ENDPOINT")
        if self.telemetry_exporter == "otlp" and not self.otlp_endpoint:
            raise ValueError("telemetry_exporter=otlp needs APP_OTLP_ENDPOINT")
        return self


def _secure_or_local(url: str) -> bool:
    """Credentials only travel over TLS, except to a server on this machine (tests, proxies)."""
    host = urlsplit(url).hostname or ""
    return url.startswith("https://") or host in ("localhost", "127.0.0.1", "::1")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings(...)`` instead)."""
    return Settings()
