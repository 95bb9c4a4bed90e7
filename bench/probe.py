"""One plain GET to a server the benchmark started, for readiness checks and to fetch bodies."""

from __future__ import annotations

import http.client

LOOPBACK = "127.0.0.1"


def get(port: int, path: str, timeout: float = 2.0, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Status and body; raises OSError when nothing answers.

    http.client rather than urllib: urllib honours http_proxy, and a proxy must never sit between
    the benchmark and a server on this machine.
    """
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
