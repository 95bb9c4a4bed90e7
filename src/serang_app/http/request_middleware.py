"""What every routed request goes through first, in one pass: a request id (header and log
context), the 415 check of request bodies, the Allow fix on OPTIONS, one access-log line, one metric.

A plain ASGI middleware rather than Litestar's logging and Prometheus middlewares and hooks, for
reasons measured in `make bench` (docs/performance.md): Litestar's logging middleware writes the
request and the response as two lines with headers and query strings (which may hold personal
data), its Prometheus middleware keeps three metrics per request where one histogram answers the
same questions (its `_count` is the request counter), and each before_request or before_send hook
adds its own pass over every request. Doing it all here costs one pass.
"""

from __future__ import annotations

import time
from typing import Any, cast

import structlog
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram

from serang_app.http.access_log import AccessLog
from serang_app.http.allow_header import with_correct_allow
from serang_app.http.body import BODY_METHODS, require_json_body
from serang_app.http.request_id import REQUEST_ID_HEADER, request_id_of

REQUEST_DURATION = Histogram(
    "serang_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "path", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# The ops endpoints are polled constantly; counting them would drown the API's own figures.
_UNMEASURED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def request_middleware(access_log: AccessLog | None) -> Any:  # Litestar's Middleware type is a wide union
    """Build the middleware factory Litestar expects (a callable taking the next ASGI app)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            request_id = request_id_of(scope)
            request_id_header = (REQUEST_ID_HEADER, request_id.encode())
            method = scope.get("method", "?")
            status = 500
            started = time.perf_counter()

            async def send_and_note_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = list(message.get("headers", ()))
                    # Error answers already carry the id (problems.py renders it); others get it here.
                    if not any(name == REQUEST_ID_HEADER for name, _ in headers):
                        headers.append(request_id_header)
                    if method == "OPTIONS":
                        headers = with_correct_allow(headers, cast(dict[str, Any], scope))
                    message["headers"] = headers
                await send(message)

            # bind/reset rather than the bound_contextvars context manager: same effect, cheaper.
            tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
            try:
                if method in BODY_METHODS:
                    require_json_body(cast(dict[str, Any], scope))
                await app(scope, receive, send_and_note_status)
            except HTTPException as error:
                status = error.status_code  # rendered by Litestar's exception handling, outside
                raise
            finally:
                elapsed = time.perf_counter() - started
                path = scope["path"]
                if path not in _UNMEASURED_PATHS:
                    # The route template, not the path, so ids in URLs do not multiply series.
                    template = cast(dict[str, Any], scope).get("path_template", "?")
                    REQUEST_DURATION.labels(method, template, str(status)).observe(elapsed)
                if access_log is not None:
                    access_log.request(request_id, method, path, status, elapsed)
                structlog.contextvars.reset_contextvars(**tokens)

        return middleware

    return factory
