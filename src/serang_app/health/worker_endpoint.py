"""The worker's own GET /metrics, on SERANG_WORKER_METRICS_PORT: what only the worker process
counts (push outcomes, its tasks' rounds, its pool's waits).

Why a port of its own: a worker is another container, often on another host, so it cannot share
the API's PROMETHEUS_MULTIPROC_DIR, and each of M replicas must be scraped by itself (Prometheus
finds them by DNS: docs/observability.md). prometheus-client's handler serves the bytes, in a
daemon thread of the standard library's HTTP server, so the worker's event loop is never held up
by a scrape; the same token rule as the API's /metrics (metrics_access.py) lets it through.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import REGISTRY
from prometheus_client.exposition import MetricsHandler

from serang_app.health.metrics_access import metrics_refusal
from serang_app.settings import Settings, SettingsError


class WorkerMetricsServer:
    def __init__(self, settings: Settings, port: int) -> None:
        try:
            self._server = ThreadingHTTPServer((settings.host, port), _handler_for(settings))
        except OSError as error:  # one line, like any other bad setting, rather than a traceback
            raise SettingsError(
                f"SERANG_WORKER_METRICS_PORT: cannot listen on {settings.host}:{port} ({error.strerror})"
            ) from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(settings: Settings) -> type[MetricsHandler]:
    class Handler(MetricsHandler):
        registry = REGISTRY

        def do_GET(self) -> None:  # noqa: N802 (the standard library names it)
            refusal = 404 if urlsplit(self.path).path != "/metrics" else None
            refusal = refusal or metrics_refusal(settings, self.headers.get("Authorization", ""))
            if refusal is None:
                super().do_GET()
                return
            self.send_response(refusal)
            if refusal == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="metrics"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Scrapes are not logged: one every few seconds would drown the worker's own lines."""

    return Handler
