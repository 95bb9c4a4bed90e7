"""Migrations apply on an empty database, and applying them again changes nothing."""

from __future__ import annotations

import asyncpg

from serang_app.contract.servers import TestServer
from serang_app.db.migrations import MigrationError, apply_migrations
from serang_app.lifespan import migration_sources
from serang_app.module_system.spec import ModuleSpec

_COLUMNS = """
SELECT table_schema, table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 3
"""
_INDEXES = """
SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3
"""
_TABLES = """
SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1
"""


async def migration_problems(server: TestServer, spec: ModuleSpec, specs: list[ModuleSpec]) -> list[str]:
    if spec.migrations is None:
        return []
    name = await server.create_database()
    dsn = server.dsn(name)
    try:
        try:
            applied = await apply_migrations(dsn, migration_sources(specs))
        except (MigrationError, asyncpg.PostgresError) as error:
            return [f"the migrations do not apply on an empty database: {error}"]
        own = [entry for entry in applied if entry.startswith(f"{spec.slug}/")]
        if not own:
            return [f"no migration of {spec.slug!r} was applied from {spec.migrations}"]
        before = await _fingerprint(dsn, spec.slug)
        try:
            again = await apply_migrations(dsn, migration_sources(specs))
        except (MigrationError, asyncpg.PostgresError) as error:
            return [f"applying the migrations a second time fails: {error}"]
        problems = [f"migration {entry} was applied a second time" for entry in again]
        after = await _fingerprint(dsn, spec.slug)
        if after != before:
            changed = sorted(set(after) ^ set(before))
            problems.append(f"applying the migrations again changed the database: {changed[:5]}")
        return problems
    finally:
        await server.drop_database(name)


async def _fingerprint(dsn: str, schema: str) -> list[str]:
    """The tables' columns, the indexes, and the row count of each of the module's tables."""
    connection = await asyncpg.connect(dsn)
    try:
        lines = [" ".join(map(str, row)) for row in await connection.fetch(_COLUMNS)]
        lines += [" ".join(map(str, row)) for row in await connection.fetch(_INDEXES)]
        for (table,) in await connection.fetch(_TABLES, schema):
            count = await connection.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 (quoted by PostgreSQL)
            lines.append(f"rows {table} {count}")
        return lines
    finally:
        await connection.close()
