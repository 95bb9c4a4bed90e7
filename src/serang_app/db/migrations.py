"""Migration runner: plain SQL files, the core's first, then each module's in its own namespace.

Each file runs in its own transaction and is recorded with its checksum. The whole run holds a
PostgreSQL advisory lock, so replicas that start at once apply every file exactly once: the
second waits for the first, then finds nothing left to do.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import asyncpg

from serang_app.db.unavailable import connecting

CORE_NAMESPACE = "core"
# The schema of the core data contract's views (migrations/0019_core_contract.sql).
CORE_CONTRACT_SCHEMA = "core"
# An arbitrary constant that identifies "the migration run" among advisory locks.
_LOCK_KEY = 0x5E4A_6A00_0001
_FILE_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    namespace text NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, name)
)
"""


class MigrationError(Exception):
    """A migration cannot run; the message names the file."""


@dataclass(frozen=True, slots=True)
class MigrationSource:
    """A folder of SQL files. A module's namespace is its slug, which is also its schema."""

    namespace: str
    folder: Path


@dataclass(frozen=True, slots=True)
class MigrationFile:
    namespace: str
    name: str
    sql: str
    checksum: str

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class MigrationState:
    namespace: str
    name: str
    state: Literal["applied", "pending", "changed", "missing"]


def core_migrations_folder() -> Path:
    """The core's migrations: packaged inside the wheel, or the repository's folder in a checkout."""
    packaged = Path(str(resources.files("serang_app") / "core_migrations"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "migrations"


def read_migrations(source: MigrationSource) -> list[MigrationFile]:
    if not source.folder.is_dir():
        raise MigrationError(f"migrations folder of {source.namespace!r} not found: {source.folder}")
    files = []
    for path in sorted(source.folder.glob("*.sql")):
        if not _FILE_NAME.match(path.name):
            raise MigrationError(f"{source.namespace}/{path.name}: expected a name like 0001_create_things.sql")
        content = path.read_bytes()
        files.append(
            MigrationFile(
                namespace=source.namespace,
                name=path.name,
                sql=content.decode("utf-8"),
                checksum=hashlib.sha256(content).hexdigest(),
            )
        )
    return files


async def apply_migrations(dsn: str, sources: Sequence[MigrationSource], *, connect_timeout: float = 60) -> list[str]:
    """Apply every pending file in order; return the labels of the files applied."""
    plan = [read_migrations(source) for source in sources]
    connection = await _connect(dsn, connect_timeout)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await connection.execute(_CREATE_LEDGER)
            applied_now: list[str] = []
            for files in plan:
                applied_now.extend(await _apply_source(connection, files))
            return applied_now
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await connection.close()


async def _apply_source(connection: asyncpg.Connection, files: list[MigrationFile]) -> list[str]:
    applied = await _ledger(connection)
    applied_now = []
    for migration in files:
        recorded = applied.get((migration.namespace, migration.name))
        if recorded is not None:
            if recorded != migration.checksum:
                raise MigrationError(
                    f"{migration.label} was changed after it was applied (checksum differs); "
                    "restore it and add a new migration instead"
                )
            continue
        async with connection.transaction():
            if migration.namespace != CORE_NAMESPACE:
                # A module's tables go to its own schema; of the core it sees only the contract's views
                # (schema core). Its foreign keys name public.cases and the like in full.
                schema = _quote_identifier(migration.namespace)
                await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                await connection.execute(f"SET LOCAL search_path TO {schema}, {CORE_CONTRACT_SCHEMA}")
            try:
                await connection.execute(migration.sql)
            except asyncpg.PostgresError as error:
                raise MigrationError(f"{migration.label} failed: {error}") from error
            await connection.execute(
                "INSERT INTO public.schema_migrations (namespace, name, checksum) VALUES ($1, $2, $3)",
                migration.namespace,
                migration.name,
                migration.checksum,
            )
        applied_now.append(migration.label)
    return applied_now


async def migration_status(
    dsn: str, sources: Sequence[MigrationSource], *, connect_timeout: float = 60
) -> list[MigrationState]:
    connection = await _connect(dsn, connect_timeout)
    try:
        has_ledger = await connection.fetchval("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
        applied = await _ledger(connection) if has_ledger else {}
    finally:
        await connection.close()
    states = []
    known = set()
    for source in sources:
        for migration in read_migrations(source):
            key = (migration.namespace, migration.name)
            known.add(key)
            checksum = applied.get(key)
            state: Literal["applied", "pending", "changed"] = (
                "pending" if checksum is None else "applied" if checksum == migration.checksum else "changed"
            )
            states.append(MigrationState(migration.namespace, migration.name, state))
    states.extend(MigrationState(ns, name, "missing") for ns, name in sorted(applied) if (ns, name) not in known)
    return states


async def _connect(dsn: str, connect_timeout: float) -> asyncpg.Connection:
    async with connecting(dsn, connect_timeout):
        return await asyncpg.connect(dsn, timeout=connect_timeout)


async def _ledger(connection: asyncpg.Connection) -> dict[tuple[str, str], str]:
    rows = await connection.fetch("SELECT namespace, name, checksum FROM public.schema_migrations")
    return {(row["namespace"], row["name"]): row["checksum"] for row in rows}


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
