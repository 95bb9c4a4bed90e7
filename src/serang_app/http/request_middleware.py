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
from contextvars import ContextVar
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


def _request_id_variable() -> ContextVar[Any]:
    """The context variable structlog's `bind_contextvars(request_id=...)` sets, which every log
    line made during the request reads (`merge_contextvars`); set directly, it costs one call
    instead of structlog's name building and look-ups on every request."""
    tokens = structlog.contextvars.bind_contextvars(request_id=None)
    structlog.contextvars.reset_contextvars(**tokens)
    return tokens["request_id"].var


_REQUEST_ID = _request_id_variable()


class _Durations:
    """The request histogram's series by (method, route template, status), each looked up once:
    `Histogram.labels` turns every value into text and takes a lock on every call."""

    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram
        self._series: dict[tuple[str, str, int], Histogram] = {}

    def observe(self, method: str, template: str, status: int, seconds: float) -> None:
        key = (method, template, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = self._histogram.labels(method, template, str(status))
        series.observe(seconds)


_DURATIONS = _Durations(REQUEST_DURATION)


def request_middleware(access_log: AccessLog | None) -> Any:  # Litestar's Middleware type is a wide union
    """Build the middleware factory Litestar expects (a callable taking the next ASGI app)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            request_id = request_id_of(scope)
            method = scope.get("method", "?")
            status = 500
            started = time.perf_counter()

            async def send_and_note_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = list(message.get("headers", ()))
                    # Error answers already carry the id (problems.py renders it); others get it here.
                    for name, _ in headers:
                        if name == REQUEST_ID_HEADER:
                            break
                    else:
                        headers.append((REQUEST_ID_HEADER, request_id.encode()))
                    if method == "OPTIONS":
                        headers = with_correct_allow(headers, cast(dict[str, Any], scope))
                    message["headers"] = headers
                await send(message)

            token = _REQUEST_ID.set(request_id)
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
                    _DURATIONS.observe(method, template, status, elapsed)
                if access_log is not None:
                    access_log.request(request_id, method, path, status, elapsed)
                _REQUEST_ID.reset(token)

        return middleware

    return factory
