"""A database an earlier test used is handed out again only as a clone of its template would be
(tests/support/reused_databases.py): the template's rows and sequences, the template's schema,
no other connection; one whose schema a test changed is dropped instead."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from tests.support.accounts import create_staff
from tests.support.database import TestServer
from tests.support.later_drops import LaterDrops
from tests.support.reused_databases import ReusedDatabases


@pytest.fixture
def drops(test_server: TestServer) -> Iterator[LaterDrops]:
    later = LaterDrops(test_server)
    yield later
    later.finish()


@pytest.fixture
def reuse(test_server: TestServer, drops: LaterDrops) -> Iterator[ReusedDatabases]:
    reused = ReusedDatabases(test_server, drops)
    yield reused
    reused.finish()


async def _contents(dsn: str) -> dict[str, object]:
    """Every table's rows (as sorted text) and every sequence's state."""
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch(
            "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
        contents: dict[str, object] = {}
        for table in tables:
            rows = await connection.fetch(f"SELECT t::text AS row FROM {table['name']} t")
            contents[table["name"]] = sorted(row["row"] for row in rows)
        for sequence in await connection.fetch("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"):
            contents[f"sequence {sequence['sequencename']}"] = sequence["last_value"]
        return contents
    finally:
        await connection.close()


async def _exists(test_server: TestServer, name: str) -> bool:
    connection = await asyncpg.connect(test_server.admin_dsn)
    try:
        return bool(await connection.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


async def test_a_used_database_comes_back_with_the_templates_rows_and_sequences(
    reuse: ReusedDatabases, test_server: TestServer, migrated_template: str
) -> None:
    first = await reuse.take(migrated_template)
    dsn = test_server.dsn(first)
    fresh = await _contents(dsn)
    assert any(fresh.values()), "the template has rows of its own (the region, the migrations)"
    await create_staff(dsn, "reused@serang.go.id", "officer")
    left_open = await asyncpg.connect(dsn)  # a connection the test forgot
    # Rows removed from one of the template's tables, and one changed in place in another (the
    # same count of rows: only the row's transaction id tells).
    await left_open.execute("DELETE FROM regions WHERE code LIKE '36.04.%' AND level = 'village'")
    await left_open.execute("UPDATE opds SET name = name || ' (renamed)' WHERE code = 'DPUPR'")
    sequences = await left_open.fetch("SELECT format('%I.%I', schemaname, sequencename) AS name FROM pg_sequences")
    for sequence in sequences:
        await left_open.fetchval("SELECT nextval($1::regclass)", sequence["name"])
    assert await _contents(dsn) != fresh
    reuse.give_back(first)
    reuse.settle()

    assert left_open.is_closed() or await _closed_by_the_server(left_open)
    again = await reuse.take(migrated_template)
    assert again == first
    assert await _contents(test_server.dsn(again)) == fresh
    reuse.give_back(again)


async def _closed_by_the_server(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return True
    return False


@pytest.mark.parametrize(
    "change",
    [
        "CREATE TABLE things (id int PRIMARY KEY)",
        "ALTER TABLE staff ADD COLUMN nickname text",
        "TRUNCATE staff CASCADE",
        "CREATE INDEX ON staff (created_at)",
        "COMMENT ON TABLE staff IS 'the staff'",
        "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "ALTER DATABASE {database} SET work_mem = '8MB'",
    ],
)
async def test_a_database_whose_schema_changed_is_dropped_not_reused(
    reuse: ReusedDatabases, drops: LaterDrops, test_server: TestServer, migrated_template: str, change: str
) -> None:
    first = await reuse.take(migrated_template)
    connection = await asyncpg.connect(test_server.dsn(first))
    try:
        await connection.execute(change.format(database=first))
    finally:
        await connection.close()
    reuse.give_back(first)
    reuse.settle()

    # Only this database was given back: had it been emptied for reuse, it would be the one taken.
    second = await reuse.take(migrated_template)
    assert second != first
    reuse.give_back(second)
    reuse.finish()
    drops.finish()
    assert not await _exists(test_server, first)
    assert not await _exists(test_server, second)  # kept for reuse until the end, then dropped
