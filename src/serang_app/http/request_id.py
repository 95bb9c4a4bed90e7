"""What every routed request goes through first: a request id, one access-log line, one metric.

A plain ASGI middleware rather than Litestar's logging and Prometheus middlewares, for two reasons
measured in `make bench` (docs/performance.md): Litestar's logging middleware writes the request and
the response as two lines with headers and query strings (which may hold personal data), and its
Prometheus middleware keeps three metrics per request where one histogram answers the same
questions (its `_count` is the request counter), at several times the cost.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, cast

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram

REQUEST_ID_HEADER = b"x-request-id"
_SCOPE_KEY = "serang_request_id"
# A client-supplied id is kept only when it is short and plain, so it cannot forge log content.
_ACCEPTABLE_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")
access_logger = structlog.get_logger("serang_app.access")

REQUEST_DURATION = Histogram(
    "serang_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "path", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# The ops endpoints are polled constantly; counting them would drown the API's own figures.
_UNMEASURED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def request_id_of(scope: Scope) -> str:
    """The request's id: the client's X-Request-ID when acceptable, else a new one; kept in the scope.

    Requests that match no route never pass through route middleware, so the id is made lazily by
    whichever needs it first (the middleware, an error response, or the response-start hook).
    """
    extensible = cast(dict[str, Any], scope)  # the ASGI scope is a plain dict at run time
    value = extensible.get(_SCOPE_KEY)
    if isinstance(value, str):
        return value
    request_id = _incoming_id(scope) or uuid.uuid4().hex
    extensible[_SCOPE_KEY] = request_id
    return request_id


async def add_request_id_header(message: Message, scope: Scope) -> None:
    """Litestar's before_send hook: runs for every response, routed or not."""
    if message["type"] == "http.response.start":
        header = (REQUEST_ID_HEADER, request_id_of(scope).encode())
        message["headers"] = [*message.get("headers", ()), header]


def request_id_middleware(access_log: bool) -> Any:  # Litestar's Middleware type is a wide union
    """Build the middleware factory Litestar expects (a callable taking the next ASGI app)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            request_id = request_id_of(scope)
            status = 500
            started = time.perf_counter()

            async def send_and_note_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            with structlog.contextvars.bound_contextvars(request_id=request_id):
                try:
                    await app(scope, receive, send_and_note_status)
                finally:
                    elapsed = time.perf_counter() - started
                    path = scope["path"]
                    if path not in _UNMEASURED_PATHS:
                        # The route template, not the path, so ids in URLs do not multiply series.
                        template = cast(dict[str, Any], scope).get("path_template", "?")
                        REQUEST_DURATION.labels(scope.get("method", "?"), template, str(status)).observe(elapsed)
                    if access_log:
                        access_logger.info(
                            "request",
                            method=scope.get("method"),
                            path=path,
                            status=status,
                            duration_ms=round(elapsed * 1000, 2),
                        )

        return middleware

    return factory


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            return value.decode() if _ACCEPTABLE_ID.match(value) else None
    return None
