"""The asyncpg pool the app shares, with JSON codecs and the helpers that turn rows into Structs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar, cast

import asyncpg
import msgspec

from serang_app.db.unavailable import connecting

T = TypeVar("T")

Connection = asyncpg.Connection  # re-exported so domain code imports one name


async def use_json_codecs(connection: asyncpg.Connection) -> None:
    """JSON and JSONB as msgspec reads and writes them, as on the pool's connections (for a
    command's own connection)."""
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, schema="pg_catalog", encoder=_encode_json, decoder=msgspec.json.decode, format="text"
        )


def _encode_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Release a connection without asyncpg's reset query.

    The default reset (RESET ALL, UNLISTEN, unlock advisory locks, CLOSE ALL) costs about a third of
    the throughput of a short query. Our code never leaves session state on a pooled connection:
    settings are changed with SET LOCAL inside transactions, LISTEN and session advisory locks use
    dedicated connections (see migrations.py). So there is nothing to reset.
    """


class Database:
    """The app's handle on PostgreSQL: acquire a connection, run a query, get Structs back.

    `acquire_timeout` bounds the wait for a connection (a busy pool, or a server that does not
    answer the connection attempt); the pool's `command_timeout` bounds each statement. Either
    raises TimeoutError, which the API answers with 503 (http/problems.py).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        acquire_timeout: float | None = None,
        observe_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        # Told how long each acquire waited (health/series.py POOL_ACQUIRE_SECONDS, in memory).
        # Handed in rather than imported: `serang-app serve` must import prometheus-client only
        # after choosing where its samples live (cli.py).
        self._observe_wait = observe_wait

    def acquire(self, wait_seconds: float | None = None) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A pooled connection for an `async with` block, given back when the block ends.

        The wait for it is bounded by `acquire_timeout` (or `wait_seconds`), and the time it took
        is observed; TimeoutError when the pool has none to give within that time.
        """
        return _Acquired(
            self._pool, self._acquire_timeout if wait_seconds is None else wait_seconds, self._observe_wait
        )

    async def close(self) -> None:
        await self._pool.close()


async def open_database(
    dsn: str,
    *,
    min_size: int,
    max_size: int,
    connect_timeout: float,
    acquire_timeout: float | None = None,
    command_timeout: float = 30,
    observe_wait: Callable[[float], None] | None = None,
) -> Database:
    """Open the pool with its first connections; raises DatabaseUnavailableError when they cannot be made."""
    async with connecting(dsn, connect_timeout):
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=use_json_codecs,
            reset=_keep_session,
            timeout=connect_timeout,
            command_timeout=command_timeout,
        )
    return Database(pool, acquire_timeout, observe_wait)


class _Acquired:
    """`Database.acquire`'s context manager. A class rather than an `asynccontextmanager`
    generator: this runs around every query of every request, and the generator's wrapping (its
    own object, the generator frame resumed twice, the first-iteration hook of the loop) cost the
    app's most frequent request more than the acquire itself (docs/performance.md, "The hottest
    read, fifth round")."""

    __slots__ = ("_connection", "_observe_wait", "_pool", "_timeout")

    def __init__(self, pool: asyncpg.Pool, timeout: float | None, observe_wait: Callable[[float], None] | None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._observe_wait = observe_wait
        self._connection: Any = None

    async def __aenter__(self) -> asyncpg.Connection:
        started = time.perf_counter()
        # The wait is bounded here rather than by the pool's own `timeout`: asyncpg applies that
        # with wait_for, which runs the acquire as a task of its own, two more turns of the event
        # loop for every request (docs/performance.md, "Booking, fourth round"). Releasing stays
        # bounded by the same time, as the pool's timeout would bound it.
        async with asyncio.timeout(self._timeout):
            self._connection = await self._pool.acquire()
        if self._observe_wait is not None:  # waits here are the first sign of an exhausted pool
            try:
                self._observe_wait(time.perf_counter() - started)
            except BaseException:
                await self.__aexit__()
                raise
        # The pool hands out a proxy that forwards every Connection method.
        return cast(asyncpg.Connection, self._connection)

    async def __aexit__(self, *exc_info: object) -> None:
        connection, self._connection = self._connection, None
        await self._pool.release(connection, timeout=self._timeout)


def rows_as(type_: type[T], records: Iterable[asyncpg.Record]) -> list[T]:
    return [msgspec.convert(dict(record), type_) for record in records]


def row_as(type_: type[T], record: asyncpg.Record) -> T:
    return msgspec.convert(dict(record), type_)
