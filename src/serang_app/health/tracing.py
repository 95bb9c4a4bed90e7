"""OpenTelemetry tracing of requests and their queries: off unless OTEL_TRACES_EXPORTER names an
exporter (docs/observability.md).

Off costs nothing: no plugin, no middleware, and the SDK is not imported (tracing_setup.py is
imported only when an exporter is asked for).
"""

from __future__ import annotations

from litestar.plugins import InitPlugin

from serang_app.settings import Settings


def tracing_plugins(settings: Settings) -> list[InitPlugin]:
    if not settings.trace_exporters:
        return []
    from serang_app.health.tracing_setup import start_tracing  # the SDK, only when tracing is on

    return start_tracing(settings.trace_exporters, settings.otel_traces_sampler_arg)
