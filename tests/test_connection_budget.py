"""A served app admits many more idle keep-alive connections than granian's own default.

granian's `backpressure` budgets accepted connections per worker, idle keep-alive ones included,
and its default is the listen backlog (1,024) over the workers. The peak-hour load's 4,594 phones
each kept a connection open, so most of them waited in the kernel's queue for a connection
granian would not accept: 11 s at the median, on a fast host as on a slow one (docs/performance.md,
"The steady peak was queueing for a connection"). `serve` now admits
SERANG_CONNECTIONS_PER_WORKER (4,096) per worker.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.app_server import running_app

pytestmark = pytest.mark.e2e

# More than granian's default budget for one worker (its backlog, 1,024).
IDLE_CONNECTIONS = 1200


def _answered(connection: socket.socket) -> bool:
    connection.settimeout(10)
    try:
        return connection.recv(4096).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_a_phone_is_answered_while_more_phones_than_the_old_budget_keep_connections_open(
    database_url: str, tmp_path: Path
) -> None:
    with running_app(database_url, tmp_path / "server.log", SERANG_WORKERS="1") as base_url:
        port = urlsplit(base_url).port
        assert port is not None
        connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(IDLE_CONNECTIONS)]
        try:
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            # Every one is served and kept open (keep-alive), none left queued behind the others.
            assert all(_answered(connection) for connection in connections)
            started = time.monotonic()
            assert httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200
            assert time.monotonic() - started < 5
        finally:
            for connection in connections:
                connection.close()
