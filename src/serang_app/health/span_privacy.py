"""What leaves the process in a span: technical attributes only.

The instrumentations record more than we may keep: the ASGI one puts the full URL with its query
string (search terms, a phone number typed into a filter) in `http.url` and `http.target`, the
client's address and its user agent; an exception event carries its message, which for a
database error can quote the offending value. Rather than list what to remove (and miss what a
new version adds), every span is copied on its way to the exporter with only the attributes
named here; exception events keep their type; status descriptions are dropped.

SQL statements are kept: the app passes every value as a parameter ($1), and parameters are not
recorded (the asyncpg instrumentation's capture_parameters stays off).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

KEPT_ATTRIBUTES = frozenset(
    {
        # HTTP server spans (old and current semantic conventions)
        "http.method",
        "http.request.method",
        "http.route",
        "http.status_code",
        "http.response.status_code",
        "http.scheme",
        "url.scheme",
        "http.flavor",
        "network.protocol.version",
        "error.type",
        # database client spans
        "db.system",
        "db.system.name",
        "db.name",
        "db.namespace",
        "db.statement",
        "db.query.text",
        "db.operation.name",
        "net.peer.name",
        "net.peer.port",
        "server.address",
        "server.port",
        "net.transport",
        "network.transport",
    }
)
KEPT_EVENT_ATTRIBUTES = frozenset({"exception.type"})


class TechnicalSpansOnly(SpanExporter):
    """Wraps the configured exporter; hands it copies of the spans with only KEPT_ATTRIBUTES."""

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._exporter.export([technical_copy(span) for span in spans])

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def technical_copy(span: ReadableSpan) -> ReadableSpan:
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes={key: value for key, value in (span.attributes or {}).items() if key in KEPT_ATTRIBUTES},
        events=[
            Event(
                event.name,
                {key: value for key, value in (event.attributes or {}).items() if key in KEPT_EVENT_ATTRIBUTES},
                event.timestamp,
            )
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )
