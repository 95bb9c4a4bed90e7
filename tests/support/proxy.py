"""A TCP proxy in front of PostgreSQL that a test can cut and restore, to play a database outage.

It runs its own event loop in a thread: Litestar's test client runs the app's lifespan through a
blocking portal, which would starve a proxy living on the test's own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

T = TypeVar("T")


class CuttableProxy:
    def __init__(self, upstream_dsn: str) -> None:
        self._upstream = urlsplit(upstream_dsn)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def start(self) -> None:
        self._run(self._start())

    def cut(self) -> None:
        self._run(self._cut())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def dsn(self) -> str:
        """The upstream URL, pointed at the proxy."""
        user = self._upstream.username or "postgres"
        return urlunsplit(("postgresql", f"{user}@127.0.0.1:{self.port}", self._upstream.path, "", ""))

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        """Refuse new connections and drop the open ones, as a crashed database would."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        socket_folder = parse_qs(self._upstream.query).get("host")
        if socket_folder:  # the embedded server listens on a unix socket only
            return await asyncio.open_unix_connection(f"{socket_folder[0]}/.s.PGSQL.5432")
        return await asyncio.open_connection(self._upstream.hostname, self._upstream.port or 5432)

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await self._open_upstream()
        self._writers.update({client_writer, upstream_writer})
        await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)
