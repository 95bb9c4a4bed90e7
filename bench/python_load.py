"""A small HTTP/1.1 keep-alive load generator on asyncio streams, for machines without wrk.

Each of a few processes keeps its share of the connections busy for a fixed time, one request at
a time per connection, and records every request's latency. It spends more CPU per request than
wrk, and on a small machine that CPU is taken from the servers: its figures are lower than wrk's
and comparable only with each other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench import BenchError
from bench.load import LoadResult, result_from

# The longest one request may take before the connection counts as broken.
REQUEST_TIMEOUT_SECONDS = 5.0
# Beyond the measured time: process start-up and handing the latencies back.
_GRACE_SECONDS = 30.0


@dataclass(slots=True)
class _Tally:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0


class PythonLoadGenerator:
    name = "python (asyncio)"

    def __init__(self, *, processes: int, connections: int) -> None:
        self._processes = max(1, min(processes, connections))
        self._connections = connections

    def run(self, url: str, seconds: int, headers: dict[str, str] | None = None) -> LoadResult:
        parts = urlsplit(url)
        if parts.hostname != "127.0.0.1" or parts.port is None:
            raise BenchError(f"the load generator only targets 127.0.0.1 with a port, not {url}")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        shares = [len(range(index, self._connections, self._processes)) for index in range(self._processes)]
        # spawn, not fork: a fresh interpreter per process carries none of the parent's state.
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=self._processes, mp_context=context) as pool:
            extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
            futures = [pool.submit(_drive, parts.port, path, share, seconds, extra) for share in shares]
            done, pending = concurrent.futures.wait(futures, timeout=seconds + _GRACE_SECONDS)
            if pending:
                for future in pending:
                    future.cancel()
                raise BenchError(f"the Python load generator did not finish on {url}")
            outcomes = [future.result() for future in done]
        return result_from(
            [latency for tally, _ in outcomes for latency in tally.latencies],
            max(elapsed for _, elapsed in outcomes),
            sum(tally.errors for tally, _ in outcomes),
        )


def _drive(port: int, path: str, connections: int, seconds: int, extra_headers: str = "") -> tuple[_Tally, float]:
    """Runs in a worker process: the tally of all its connections and the time they took."""
    return asyncio.run(_drive_connections(port, path, connections, seconds, extra_headers))


async def _drive_connections(
    port: int, path: str, connections: int, seconds: int, extra_headers: str = ""
) -> tuple[_Tally, float]:
    tally = _Tally()
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: serang-bench\r\n{extra_headers}\r\n"
    ).encode()
    await asyncio.gather(*(_keep_busy(port, request, deadline, tally) for _ in range(connections)))
    return tally, time.perf_counter() - started


async def _keep_busy(port: int, request: bytes, deadline: float, tally: _Tally) -> None:
    """One connection: send, read the whole answer, repeat until the deadline; reconnect on errors."""
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.monotonic() < deadline:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                if streams is None:
                    streams = await asyncio.open_connection("127.0.0.1", port)
                reader, writer = streams
                sent = time.perf_counter()
                writer.write(request)
                status, keep_alive = await _read_response(reader)
                latency = time.perf_counter() - sent
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            tally.errors += 1
            await _close(streams)
            streams = None
            await asyncio.sleep(0.01)  # a refused connection must not turn into a busy loop
            continue
        if time.monotonic() <= deadline:  # an answer that came after the deadline is not counted
            tally.latencies.append(latency)
            if not 200 <= status < 400:
                tally.errors += 1
        if not keep_alive:
            await _close(streams)
            streams = None
    await _close(streams)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response to its end; returns its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip().lower()
    if status in (204, 304) or 100 <= status < 200:
        pass  # no body, whatever the headers say
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        await _skip_chunks(reader)
    else:
        raise ValueError("a response without a length cannot be read on a kept-alive connection")
    return status, headers.get("connection") != "close"


async def _skip_chunks(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            # Trailer fields, if any, end with an empty line.
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return
        await reader.readexactly(size + 2)  # the chunk and its CRLF


async def _close(streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if streams is not None:
        writer = streams[1]
        writer.close()
        with contextlib.suppress(OSError):  # the peer went away first: closed either way
            await writer.wait_closed()
