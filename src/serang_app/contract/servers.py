"""The PostgreSQL server tests run against: TEST_DATABASE_URL, else 127.0.0.1:5432 if it answers,
else an embedded one. Tests create and drop databases of their own on it."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from serang_app.db.embedded import EmbeddedDatabase

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def with_database(dsn: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def answers(dsn: str) -> bool:
    """Whether a PostgreSQL server accepts a connection at `dsn` within two seconds."""
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


class TestServer:
    """A server on which tests may create and drop databases."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, embedded_folder: Path) -> None:
        """embedded_folder: where the embedded server keeps its data when no server answers."""
        self._embedded: EmbeddedDatabase | None = None
        configured = os.environ.get("TEST_DATABASE_URL")
        if configured:
            self.admin_dsn = configured
        elif asyncio.run(answers(LOCAL_SERVER)):
            self.admin_dsn = LOCAL_SERVER
        else:
            self._embedded = EmbeddedDatabase(embedded_folder)
            self.admin_dsn = with_database(self._embedded.start(), "postgres")

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()

    async def create_database(self, template: str | None = None) -> str:
        name = f"serang_test_{uuid.uuid4().hex[:12]}"
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            suffix = f" TEMPLATE {template}" if template else ""
            await connection.execute(f"CREATE DATABASE {name}{suffix}")
        finally:
            await connection.close()
        return name

    async def drop_database(self, name: str) -> None:
        connection = await asyncpg.connect(self.admin_dsn)
        try:
            await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await connection.close()

    def dsn(self, name: str) -> str:
        return with_database(self.admin_dsn, name)
