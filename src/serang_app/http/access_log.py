"""One JSON line per answered request, written straight to standard output.

Written by hand rather than through structlog (which every other log line uses) because this line
is on every request: structlog's processor chain (context merge, level, ISO timestamp, renderer)
costs about 16 µs a line, which `make bench` showed as a tenth of the catalogue's throughput
(docs/performance.md). Here a fixed Struct is encoded by msgspec into a buffer written twice a
second, and the timestamp is rebuilt only when the second changes. The line has the same keys and format
as structlog's JSON lines, so one parser reads the whole stream.

Only technical facts go in: method, path without the query string (queries may hold personal
data), status, duration, request id. A path that matches no route is answered by Litestar before
any middleware runs, so it is not logged here (its 404 still carries a request id).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
import structlog


class AccessLine(msgspec.Struct):
    event: str
    request_id: str
    method: str
    path: str
    status: int
    duration_ms: float
    level: str
    timestamp: str


class _Clock:
    """ISO 8601 UTC timestamps with milliseconds, formatting the date part once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"


def _write_to_stdout(lines: bytes) -> None:
    stream = sys.stdout.buffer
    stream.write(lines)
    stream.flush()


class AccessLog:
    """Collects lines and writes them at most every `FLUSH_SECONDS` or every `FLUSH_BYTES`.

    A system call per line was the access log's largest cost: the write releases the GIL, and
    taking it back competes with the server's own threads (`make bench`: 8,500 against 10,500
    requests/s on one worker). Batching costs at most the last half second of lines if the
    process is killed outright; a normal stop writes them (the lifespan calls `flush`).
    """

    FLUSH_SECONDS = 0.5
    FLUSH_BYTES = 64 * 1024

    def __init__(self, write: Callable[[bytes], None] = _write_to_stdout) -> None:
        self._write = write
        self._clock = _Clock()
        self._encoder = msgspec.json.Encoder()
        self._pending = bytearray()
        self._flush_scheduled = False

    def request(self, request_id: str, method: str, path: str, status: int, seconds: float) -> None:
        line = AccessLine(
            event="request",
            request_id=request_id,
            method=method,
            path=path,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            level="info",
            timestamp=self._clock.now(),
        )
        self._encoder.encode_into(line, self._pending, -1)
        self._pending.extend(b"\n")
        if len(self._pending) >= self.FLUSH_BYTES:
            self.flush()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_later(self.FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False  # a timer still pending finds nothing and writes nothing
        if self._pending:
            lines = bytes(self._pending)
            self._pending.clear()
            self._write(lines)


class ConsoleAccessLog(AccessLog):
    """For `SERANG_LOG_FORMAT=console` (a developer's terminal): the same facts through structlog,
    so they look like every other line there; speed does not matter on a laptop."""

    def __init__(self) -> None:
        super().__init__()
        self._logger = structlog.get_logger("serang_app.access")

    def request(self, request_id: str, method: str, path: str, status: int, seconds: float) -> None:
        self._logger.info("request", method=method, path=path, status=status, duration_ms=round(seconds * 1000, 2))
