"""OpenTelemetry traces, metrics and events: console offline, OTLP or Azure Monitor by settings.

What reaches Application Insights is what the canary gate and the monitor query (their KQL is
in ``deploy/queries.py``; the envelope -> table mapping is in docs/eval.md):

* every HTTP request is a SERVER span from the FastAPI instrumentation -> ``requests``
  (``instrument_app``: the app object exists before any exporter, so it is instrumented
  explicitly instead of relying on the Azure Monitor distro's patch of apps created later);
* every model call is a span with token usage (``gen_ai.usage.*``) -> ``dependencies``;
* every scored answer is a ``gen_ai.evaluation.result`` event and every stored feedback a
  ``feedback`` event -> ``customEvents`` (GenAI semantic conventions, ``events.yaml``);
* the running revision is ``service.version`` -> ``application_Version``.

Optional exporters are optional dependencies (``uv sync --extra otlp`` / ``--extra
azure-monitor``); ``none`` makes every call here a no-op.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace

from . import PROJECT_NAME, __version__
from .settings import Settings

log = logging.getLogger(__name__)
_configured: str | None = None

EVALUATION_EVENT = "gen_ai.evaluation.result"
FEEDBACK_EVENT = "feedback"
# the Azure Monitor exporter turns a log record carrying this attribute into EventData
# (customEvents) named by its value; any other log record becomes a trace (MessageData)
AZURE_EVENT_NAME = "microsoft.custom_event.name"
# probes would count as canary traffic and dilute its error rate: they are not requests of users
NOT_TRACED = "/health$,/ready$"


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
    """Install the global tracer, meter and logger providers once per process."""
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
        sampling: dict[str, Any] = {}
        if not os.environ.get("OTEL_TRACES_SAMPLER"):
            # the distro's default keeps at most 5 traces a second and drops the rest: a burst
            # of canary traffic would lose requests the gate counts (OTEL_TRACES_SAMPLER wins)
            sampling["sampling_ratio"] = 1.0
        configure_azure_monitor(
            connection_string=secret.get_secret_value() if secret else None,
            resource=_resource(settings),
            # instrument_app() does it for the app that exists; the distro's patch would only
            # reach apps created after this call, and instrument those twice
            instrumentation_options={"fastapi": {"enabled": False}},
            **sampling,
        )
        _configured = exporter
        return
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, ConsoleLogRecordExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    span_exporter: Any
    metric_exporter: Any
    log_exporter: Any
    if exporter == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise _missing("otlp") from exc
        base = str(settings.otlp_endpoint).rstrip("/")
        span_exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces")
        metric_exporter = OTLPMetricExporter(endpoint=f"{base}/v1/metrics")
        log_exporter = OTLPLogExporter(endpoint=f"{base}/v1/logs")
    else:
        span_exporter, metric_exporter = ConsoleSpanExporter(), ConsoleMetricExporter()
        log_exporter = ConsoleLogRecordExporter()
    resource = _resource(settings)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(tracer_provider)
    reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=60_000)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(log_exporter))
    set_logger_provider(logger_provider)
    _configured = exporter


def instrument_app(app: Any, settings: Settings) -> None:
    """SERVER spans for every request of ``app`` (App Insights ``requests``), probes excepted.

    The app factory calls this once, right after creating the app: the exporter is configured
    first, so the spans have somewhere to go from the first request on.
    """
    configure(settings)
    if settings.telemetry_exporter == "none":
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # the ASGI receive/send sub-spans would each become a `dependencies` row per request
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=NOT_TRACED, exclude_spans=["receive", "send"]
    )


def emit_event(name: str, attributes: Mapping[str, Any]) -> None:
    """One event (a log record with an event name) in the current trace context."""
    from opentelemetry._logs import get_logger

    values = {k: v for k, v in attributes.items() if v is not None}
    get_logger(__name__).emit(
        event_name=name, body=name, attributes={**values, AZURE_EVENT_NAME: name}
    )


def emit_evaluation(
    name: str, score: float, label: str, explanation: str = "", **attributes: Any
) -> None:
    """A ``gen_ai.evaluation.result`` event (what the canary and the monitor average)."""
    emit_event(
        EVALUATION_EVENT,
        {
            "gen_ai.evaluation.name": name,
            "gen_ai.evaluation.score.value": float(score),
            "gen_ai.evaluation.score.label": label,
            "gen_ai.evaluation.explanation": explanation or None,
            **attributes,
        },
    )


def emit_feedback(request_id: str, rating: int, feedback_id: Any = None) -> None:
    """A ``feedback`` event once the store accepted a user's rating (1 bad .. 5 good)."""
    emit_event(
        FEEDBACK_EVENT,
        {"request_id": request_id, "rating": int(rating), "feedback_id": feedback_id},
    )


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
            if "prompt.id" in attributes:  # a model call, named as GenAI semconv names it
                span.set_attribute("gen_ai.operation.name", "chat")
                if attributes.get("model"):
                    span.set_attribute("gen_ai.request.model", str(attributes["model"]))
            for key, value in attributes.items():
                if value is not None:
                    span.set_attribute(key, value)
            yield span

    def annotate_request(self, request_id: str) -> None:
        """Put the server-made request id and the revision on the current request's SERVER span.

        The FastAPI instrumentation's middleware runs outside the app's own, so the current span
        here is the request span (App Insights ``requests``: ``customDimensions``); without an
        exporter there is no recording span and this does nothing. Not ``http.*``: the Azure
        Monitor exporter drops attributes with that prefix from customDimensions.
        """
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute("app.request_id", request_id)
            span.set_attribute("app.revision", self.revision)

    def evaluate_output(self, prompt_id: str, arguments: Mapping[str, str], output: str) -> None:
        """Score a model output without a reference (online eval) and emit the scores.

        Runs inside the model call's span, so each event is parented to the call it scores.
        Nothing is computed when no exporter is configured.
        """
        if _configured is None:
            return
        from .online_eval import score_output

        for score in score_output(arguments, output):
            emit_evaluation(
                score.name,
                score.value,
                score.label,
                score.explanation,
                **{"prompt.id": prompt_id},
            )

    def model_call(
        self,
        *,
        prompt_id: str,
        prompt_version: str,
        model: str,
        seconds: float,
        prompt_tokens: int,
        completion_tokens: int,
        ok: bool,
    ) -> None:
        labels: dict[str, Any] = {
            "prompt.id": prompt_id,
            "prompt.version": prompt_version,
            "model": model,
            "revision": self.revision,
        }
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
