"""OpenTelemetry traces and metrics: console exporter offline, OTLP or Azure Monitor by settings.

Every API request and every model call is a span; metrics count requests, errors, tokens and guard
blocks and record latencies, all labelled with the prompt id/version, model and app revision, so a
canary can be compared with the stable revision. Optional exporters are optional dependencies
(``uv sync --extra otlp`` / ``--extra azure-monitor``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace

from . import PROJECT_NAME, __version__
from .settings import Settings

log = logging.getLogger(__name__)
_configured: str | None = None


def resource_attributes(settings: Settings) -> dict[str, str]:
    """``service.version`` is the running revision where there is one (Container Apps sets
    CONTAINER_APP_REVISION): App Insights maps it to ``application_Version``, which is how the
    canary gates and the monitor tell a canary's requests from the stable revision's."""
    revision = settings.revision
    return {
        "service.name": PROJECT_NAME.lower().replace(" ", "-"),
        "service.version": revision if revision and revision != "local" else __version__,
        "service.instance.revision": revision,
        "app.version": __version__,
        "app.use_case": settings.use_case,
    }


def _resource(settings: Settings) -> Any:
    from opentelemetry.sdk.resources import Resource

    return Resource.create(resource_attributes(settings))


def _missing(extra: str) -> RuntimeError:
    return RuntimeError(f"telemetry exporter needs the '{extra}' extra: uv sync --extra {extra}")


def configure(settings: Settings) -> None:
    """Install the global tracer and meter providers once per process."""
    global _configured
    exporter = settings.telemetry_exporter
    if _configured is not None or exporter == "none":
        return
    if exporter == "azure_monitor":
        try:
            from azure.monitor.opentelemetry import configure_azure_monitor
        except ImportError as exc:
            raise _missing("azure-monitor") from exc
        secret = settings.applicationinsights_connection_string
        configure_azure_monitor(
            connection_string=secret.get_secret_value() if secret else None,
            resource=_resource(settings),
        )
        _configured = exporter
        return
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    span_exporter: Any
    metric_exporter: Any
    if exporter == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise _missing("otlp") from exc
        base = str(settings.otlp_endpoint).rstrip("/")
        span_exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces")
        metric_exporter = OTLPMetricExporter(endpoint=f"{base}/v1/metrics")
    else:
        span_exporter, metric_exporter = ConsoleSpanExporter(), ConsoleMetricExporter()
    resource = _resource(settings)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(tracer_provider)
    reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=60_000)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
    _configured = exporter


@dataclass
class Telemetry:
    """The app's instruments (no-ops until :func:`configure` installed real providers)."""

    revision: str

    def __post_init__(self) -> None:
        self.tracer = trace.get_tracer(__name__)
        meter = metrics.get_meter(__name__)
        self.requests = meter.create_counter("app.requests", description="API requests")
        self.errors = meter.create_counter("app.errors", description="failed requests/model calls")
        self.request_ms = meter.create_histogram("app.request.duration", unit="ms")
        self.model_ms = meter.create_histogram("app.model.duration", unit="ms")
        self.tokens = meter.create_counter("app.model.tokens", unit="{token}")
        self.guard_blocks = meter.create_counter("app.guardrails.blocked")

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Any]:
        with self.tracer.start_as_current_span(name) as span:
            span.set_attribute("app.revision", self.revision)
            for key, value in attributes.items():
                if value is not None:
                    span.set_attribute(key, value)
            yield span

    def model_call(
        self, *, prompt_id: str, prompt_version: str, model: str, seconds: float,
        prompt_tokens: int, completion_tokens: int, ok: bool,
    ) -> None:  # fmt: skip
        labels: dict[str, Any] = {"prompt.id": prompt_id, "prompt.version": prompt_version, "model": model,
                  "revision": self.revision}  # fmt: skip
        self.model_ms.record(seconds * 1000, labels)
        self.tokens.add(prompt_tokens, {**labels, "token.type": "prompt"})
        self.tokens.add(completion_tokens, {**labels, "token.type": "completion"})
        if not ok:
            self.errors.add(1, {**labels, "where": "model"})

    def request(self, *, route: str, status: int, seconds: float) -> None:
        labels: dict[str, Any] = {
            "http.route": route,
            "http.status_code": status,
            "revision": self.revision,
        }
        self.requests.add(1, labels)
        self.request_ms.record(seconds * 1000, labels)
        if status >= 500:
            self.errors.add(1, {**labels, "where": "api"})
