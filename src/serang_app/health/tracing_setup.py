"""Starting OpenTelemetry tracing; imported only when OTEL_TRACES_EXPORTER names an exporter.

- Spans: Litestar's OpenTelemetry plugin opens a server span around each request (named, once
  routed, by the route template, never by the path with its ids); the asyncpg instrumentation
  adds a child span for every query the request makes. The ops endpoints are not traced.
- Sampling: a request starts a trace (all of them, or the share OTEL_TRACES_SAMPLER_ARG gives);
  queries follow their request. Queries outside any request (start-up, the in-process worker in
  development, the catalogue listener) start no trace of their own.
- Export: through the standard OpenTelemetry exporters, configured by their own OTEL_EXPORTER_OTLP_*
  variables (endpoint, headers, protocol), in batches from a background thread; every span is
  stripped to technical attributes first (span_privacy.py).
- The tracer provider is the app's own, not the process-wide global one, so that nothing else
  in the process (a library that traces itself) exports through it unasked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.types import ASGIApp, Receive, Scope, Send
from opentelemetry import context, trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from serang_app import __version__
from serang_app.health.span_privacy import TechnicalSpansOnly
from serang_app.settings import SettingsError

# Polled constantly by probes and Prometheus; their spans would be most of the traces.
UNTRACED_PATHS = ["^/healthz$", "^/readyz$", "^/metrics$"]


def start_tracing(exporter_names: Sequence[str], sample_ratio: float = 1.0) -> list[InitPlugin]:
    """The plugins that trace the app's requests, exporting to each named exporter."""
    provider = TracerProvider(
        resource=_resource(), sampler=ParentBased(root=RequestsOnly(TraceIdRatioBased(sample_ratio)))
    )
    for name in exporter_names:
        provider.add_span_processor(BatchSpanProcessor(TechnicalSpansOnly(_exporter(name))))
    # capture_parameters=False is the default, spelled out: the values of a query stay out of spans.
    instrumentor = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    instrumentor.instrument(tracer_provider=provider)
    config = OpenTelemetryConfig(
        tracer_provider=provider,
        scope_span_details_extractor=_span_before_routing,
        exclude=UNTRACED_PATHS,
        exclude_spans=["receive", "send"],  # one span per ASGI message would add nothing useful
    )
    return [OpenTelemetryPlugin(config), _TracingLifecycle(provider, instrumentor)]


class RequestsOnly(Sampler):
    """For spans without a parent: a server span (a request) is sampled by `ratio`, any other is
    dropped."""

    def __init__(self, ratio: Sampler) -> None:
        self._ratio = ratio

    def should_sample(
        self,
        parent_context: context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind != SpanKind.SERVER:
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"RequestsOnly({self._ratio.get_description()})"


class _TracingLifecycle(InitPlugin):
    def __init__(self, provider: TracerProvider, instrumentor: AsyncPGInstrumentor) -> None:
        self._provider = provider
        self._instrumentor = instrumentor

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.middleware.append(_name_span_by_route)
        app_config.on_shutdown.append(self.stop)
        return app_config

    def stop(self) -> None:
        """Export what is buffered, and let a later app instrument asyncpg with its own provider."""
        self._instrumentor.uninstrument()
        self._provider.shutdown()


def _name_span_by_route(app: ASGIApp) -> ASGIApp:
    """The server span opens before routing; this runs after it, when the route template is known."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        span = trace.get_current_span()
        template = scope.get("path_template")
        if template and span.is_recording():
            span.update_name(f"{scope.get('method', '')} {template}")
            span.set_attribute("http.route", template)
        await app(scope, receive, send)

    return middleware


def _span_before_routing(scope: Scope) -> tuple[str, dict[str, str]]:
    # The default would name the span by its path, ids included; the method alone until routed.
    return str(scope.get("method", scope["type"])), {}


def _resource() -> Resource:
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read here, as everywhere in OpenTelemetry.
    resource = Resource.create({"service.version": __version__})
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "serang-app"}))
    return resource


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

        return HttpExporter()
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter()
    raise SettingsError(f"OTEL_EXPORTER_OTLP_PROTOCOL: expected http/protobuf or grpc, got {protocol!r}")
