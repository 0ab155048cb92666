"""Model services chosen by settings, all behind Semantic Kernel's own service interfaces.

``local`` (default, offline) | ``azure_openai`` (Entra ID by default; a key only when one is
configured) | ``openai`` | ``openai_compatible`` (Ollama, vLLM, llama.cpp server, ...). The
orchestrator only ever sees a ``ChatCompletionClientBase`` and an ``EmbeddingGeneratorBase``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .settings import Provider, Settings

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
CHAT_SERVICE_ID = "chat"
EMBEDDING_SERVICE_ID = "embeddings"


@dataclass(frozen=True)
class Services:
    chat: Any  # ChatCompletionClientBase
    embeddings: Any  # EmbeddingGeneratorBase
    chat_model: str
    embedding: dict[str, Any]  # provider, model and dimensions: part of the index manifest


def azure_credential(settings: Settings) -> Any:
    """The async Entra ID credential (managed identity in Azure, developer login locally):
    token requests never block the event loop. Its transport is aiohttp (``--extra azure``)."""
    try:
        import aiohttp  # noqa: F401 - azure-core's async transport
    except ImportError as exc:
        raise RuntimeError("Entra ID from the app needs: uv sync --extra azure") from exc
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential(managed_identity_client_id=settings.azure_client_id)


def azure_token_provider(settings: Settings, scope: str = COGNITIVE_SERVICES_SCOPE) -> Any:
    """An async callable returning a bearer token for ``scope`` (cached and refreshed)."""
    from azure.identity.aio import get_bearer_token_provider

    return get_bearer_token_provider(azure_credential(settings), scope)


def _openai_client(settings: Settings) -> Any:
    from openai import AsyncOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return AsyncOpenAI(
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.request_timeout_s,
        max_retries=settings.request_max_retries,
    )


def _azure_auth(settings: Settings) -> dict[str, Any]:
    if settings.azure_openai_api_key:
        return {"api_key": settings.azure_openai_api_key.get_secret_value()}
    return {"azure_ad_token_provider": azure_token_provider(settings)}


def _azure_client(settings: Settings) -> Any:
    """One AsyncAzureOpenAI client (timeouts and retries from settings) for chat and embeddings."""
    from openai import AsyncAzureOpenAI

    return AsyncAzureOpenAI(
        azure_endpoint=str(settings.azure_openai_endpoint),
        api_version=settings.azure_openai_api_version,
        timeout=settings.request_timeout_s,
        max_retries=settings.request_max_retries,
        **_azure_auth(settings),
    )


def chat_service(settings: Settings) -> tuple[Any, str]:
    """(service, model name) for ``settings.provider``."""
    service: Any  # each provider binds its own Semantic Kernel connector type
    provider = settings.provider
    if provider == "local":
        from .local_chat import MODEL_ID, LocalChatCompletion

        return LocalChatCompletion(ai_model_id=MODEL_ID, service_id=CHAT_SERVICE_ID), MODEL_ID
    if provider == "azure_openai":
        from semantic_kernel.connectors.ai.open_ai import AzureChatCompletion

        deployment = settings.azure_openai_chat_deployment
        service = AzureChatCompletion(
            service_id=CHAT_SERVICE_ID,
            deployment_name=deployment,
            async_client=_azure_client(settings),
        )
        return service, str(deployment)
    from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

    service = OpenAIChatCompletion(
        service_id=CHAT_SERVICE_ID,
        ai_model_id=settings.chat_model,
        async_client=_openai_client(settings),
    )
    return service, settings.chat_model


def embedding_service(settings: Settings) -> tuple[Any, dict[str, Any]]:
    """(service, manifest entry) for the effective embedding provider."""
    service: Any  # each provider binds its own Semantic Kernel connector type
    provider: Provider = settings.effective_embedding_provider
    if provider == "local":
        from .local_embeddings import MODEL_ID, HashingEmbeddingGenerator

        dims = settings.embedding_dimensions
        service = HashingEmbeddingGenerator(
            ai_model_id=MODEL_ID, service_id=EMBEDDING_SERVICE_ID, dimensions=dims
        )
        return service, {"provider": "local", "model": MODEL_ID, "dimensions": dims}
    if provider == "azure_openai":
        from semantic_kernel.connectors.ai.open_ai import AzureTextEmbedding

        deployment = settings.azure_openai_embedding_deployment
        service = AzureTextEmbedding(
            service_id=EMBEDDING_SERVICE_ID,
            deployment_name=deployment,
            async_client=_azure_client(settings),
        )
        return service, {"provider": provider, "model": str(deployment)}
    from semantic_kernel.connectors.ai.open_ai import OpenAITextEmbedding

    service = OpenAITextEmbedding(
        service_id=EMBEDDING_SERVICE_ID,
        ai_model_id=settings.embedding_model,
        async_client=_openai_client(settings),
    )
    return service, {"provider": provider, "model": settings.embedding_model}


def build_services(settings: Settings) -> Services:
    chat, chat_model = chat_service(settings)
    embeddings, embedding = embedding_service(settings)
    return Services(chat=chat, embeddings=embeddings, chat_model=chat_model, embedding=embedding)
