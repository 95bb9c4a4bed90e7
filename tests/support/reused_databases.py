"""Tests' databases emptied back to their template's rows after a test and given to a later test.

A new database per test is a `CREATE DATABASE ... TEMPLATE` (PostgreSQL writes the whole 10 MB
template to its WAL) and a `DROP DATABASE` (which forces a checkpoint): together about a quarter
of a second of the server's CPU, alone on a quiet machine, for every test; over a run, a large
share of what PostgreSQL does (docs/testing.md, round "speed 3"). Emptying the few tables a test
wrote to and copying the template's rows back costs the server about a hundredth of that.

So when a test is over its database goes to a thread of its own that, while the next test runs,

1. ends every connection still open on it (as `DROP DATABASE ... WITH (FORCE)` would),
2. checks that its schema is still the template's: no catalog row was added, changed or removed
   since the database was handed out (a test that created a table, truncated one, altered a
   column or a function). Rows a transaction writes carry its id (`xmin`), so a catalog row
   newer than the hand-out is a change; the catalogs' row counts show removals. A database whose
   schema changed, or that cannot be emptied for any other reason, is dropped instead;
3. deletes the rows of every table the test wrote to (one with rows where the template has none;
   one of the template's tables with rows whose count differs or one of whose rows is newer than
   the hand-out) and copies in the template's rows of the latter, with triggers and foreign keys
   off (`session_replication_role = replica`), and sets every sequence back to the template's
   value;

and keeps it for the next test cloned from the same template. A test therefore starts, as
before, on a database whose rows, sequences and schema are exactly the template's, with no
connection but its own. The databases left at the end of the session are dropped.
"""

from __future__ import annotations

import asyncio
import io
import queue
import threading
from dataclasses import dataclass

import asyncpg

from tests.support.database import TestServer
from tests.support.later_drops import LaterDrops

# How long the connections a test left open may take to end before its database is dropped instead.
CONNECTIONS_END_SECONDS = 5.0

# Catalogs whose rows make up what a test may change in a database's schema (tables, columns,
# defaults, constraints, indexes, functions, types, enum labels, triggers, rules, policies,
# sequences' definitions, privileges, extensions, dependencies). Data lives outside them.
SCHEMA_CATALOGS = (
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_constraint",
    "pg_index",
    "pg_proc",
    "pg_type",
    "pg_enum",
    "pg_trigger",
    "pg_rewrite",
    "pg_policy",
    "pg_sequence",
    "pg_namespace",
    "pg_default_acl",
    "pg_extension",
    "pg_inherits",
    "pg_depend",
    "pg_description",
)

# Per catalog: its row count and whether a row is newer than the transaction id $1 (age() counts
# back from the current transaction, so it compares ids across wraparound; frozen rows are oldest).
# Settings given to the database itself (ALTER DATABASE ... SET) are in a shared catalog.
_SCHEMA_STATE = (
    "SELECT "
    + ", ".join(
        f"(SELECT count(*) FROM {catalog}), (SELECT count(*) FROM {catalog} WHERE age(xmin) <= age($1::xid))"
        for catalog in SCHEMA_CATALOGS
    )
    + ", (SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
    " WHERE d.datname = current_database())"
)
_TABLES = """
    SELECT format('%I.%I', n.nspname, c.relname) AS name, n.nspname AS schema, c.relname AS table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
    ORDER BY 1
"""
# The next transaction id to be given out: every transaction after this point has it or a later one.
_HORIZON = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296"


@dataclass(frozen=True)
class _Template:
    """What a fresh clone of one template holds: its tables, their rows, its sequences, its schema."""

    tables: list[str]
    rows: dict[str, tuple[str, str, int, bytes]]  # table -> schema, name, count, rows in COPY's binary format
    sequences: list[tuple[str, int, int | None]]  # name, start value, last value (None: never used)
    schema_counts: list[int]


class ReusedDatabases:
    """Hands each test a database cloned from its template or emptied back to it (module docstring)."""

    def __init__(self, server: TestServer, drops: LaterDrops) -> None:
        self._server = server
        self._drops = drops
        self._lock = threading.Lock()
        self._templates: dict[str, _Template] = {}
        self._free: dict[str, list[tuple[str, int]]] = {}  # template -> (database, horizon)
        self._lent: dict[str, tuple[str, int]] = {}  # database -> (template, horizon)
        self._returned: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._reset_as_they_come, name="database-resets", daemon=True)
        self._thread.start()

    async def take(self, template: str) -> str:
        """A database with exactly the template's schema and rows and no connection on it."""
        with self._lock:
            free = self._free.get(template)
            if free:
                name, horizon = free.pop()
                self._lent[name] = (template, horizon)
                return name
        created = await self._server.create_database(template=template)
        try:
            connection = await asyncpg.connect(self._server.dsn(created))
            try:
                if template not in self._templates:
                    self._templates[template] = await _read_template(connection)
                handed_out: int = await connection.fetchval(_HORIZON)
            finally:
                await connection.close()
        except BaseException:
            self._drops.drop(created)  # no test will give it back: it would be left on the server
            raise
        with self._lock:
            self._lent[created] = (template, handed_out)
        return created

    def give_back(self, name: str) -> None:
        """The test is over: nothing of it may use the database any more."""
        self._returned.put(name)

    def settle(self) -> None:
        """Wait until every database given back has been emptied for reuse or handed to the drops."""
        self._returned.join()

    def finish(self) -> None:
        """Wait for the resets asked for, then hand every database kept to the drops."""
        self._returned.put(None)
        self._thread.join()
        for databases in self._free.values():
            for name, _horizon in databases:
                self._drops.drop(name)
        self._free.clear()

    def _reset_as_they_come(self) -> None:
        while (name := self._returned.get()) is not None:
            try:
                self._reset_or_drop(name)
            finally:
                self._returned.task_done()
        self._returned.task_done()

    def _reset_or_drop(self, name: str) -> None:
        with self._lock:
            template, horizon = self._lent.pop(name)
        try:
            new_horizon = asyncio.run(self._reset(name, self._templates[template], horizon))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            new_horizon = None  # dropped like any database that was not reused
        if new_horizon is None:
            self._drops.drop(name)
            return
        with self._lock:
            self._free.setdefault(template, []).append((name, new_horizon))

    async def _reset(self, name: str, template: _Template, horizon: int) -> int | None:
        """Empty the database back to the template's rows; None when it must be dropped instead."""
        connection = await asyncpg.connect(self._server.dsn(name))
        try:
            if not await _alone_on(connection):
                return None
            if await connection.fetchval("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"):
                return None
            if await _schema_state(connection, horizon) != template.schema_counts:
                return None
            written = await _written_tables(connection, template, horizon)
            async with connection.transaction():
                await connection.execute("SET LOCAL session_replication_role = replica")
                for table in written:
                    await connection.execute(f"DELETE FROM {table}")
                    if table in template.rows:
                        schema, name, _count, rows = template.rows[table]
                        await connection.copy_to_table(
                            name, schema_name=schema, source=io.BytesIO(rows), format="binary"
                        )
                for sequence, start, last in template.sequences:
                    if last is None:
                        await connection.execute("SELECT setval($1::regclass, $2, false)", sequence, start)
                    else:
                        await connection.execute("SELECT setval($1::regclass, $2, true)", sequence, last)
            new_horizon: int = await connection.fetchval(_HORIZON)
            return new_horizon
        finally:
            await connection.close()


async def _read_template(connection: asyncpg.Connection) -> _Template:
    """What a fresh clone holds, read from the clone (a connection to the template itself would
    make the next CREATE DATABASE from it fail while it lasts)."""
    tables = await connection.fetch(_TABLES)
    names = [row["name"] for row in tables]
    rows: dict[str, tuple[str, str, int, bytes]] = {}
    for row in tables:
        count: int = await connection.fetchval(f"SELECT count(*) FROM {row['name']}")
        if count:
            copied = io.BytesIO()
            await connection.copy_from_table(row["table"], schema_name=row["schema"], output=copied, format="binary")
            rows[row["name"]] = (row["schema"], row["table"], count, copied.getvalue())
    sequences = [
        (record["name"], record["start_value"], record["last_value"])
        for record in await connection.fetch(
            "SELECT format('%I.%I', schemaname, sequencename) AS name, start_value, last_value FROM pg_sequences"
        )
    ]
    # Every catalog row of a fresh clone is older than now, so the "newer" counts are all 0.
    counts = await _schema_state(connection, await connection.fetchval(_HORIZON))
    return _Template(tables=names, rows=rows, sequences=sequences, schema_counts=counts)


async def _schema_state(connection: asyncpg.Connection, horizon: int) -> list[int]:
    state = await connection.fetchrow(_SCHEMA_STATE, horizon)
    assert state is not None
    return list(state)


async def _written_tables(connection: asyncpg.Connection, template: _Template, horizon: int) -> list[str]:
    """The tables whose rows differ from the template's: rows where it has none, or (where it has
    some) another count or a row a transaction after the hand-out wrote."""
    if not template.tables:
        return []
    tests = [
        f"(SELECT count(*) <> {template.rows[table][2]} OR coalesce(bool_or(age(xmin) <= age($1::xid)), false)"
        f" FROM {table})"
        if table in template.rows
        else f"EXISTS (SELECT FROM {table})"
        for table in template.tables
    ]
    flags = await connection.fetchrow("SELECT $1::xid IS NOT NULL, " + ", ".join(tests), horizon)
    assert flags is not None
    return [table for table, written in zip(template.tables, list(flags)[1:], strict=True) if written]


async def _alone_on(connection: asyncpg.Connection) -> bool:
    """End the other connections to this database; whether they were gone in time."""
    # Client connections only: autovacuum may come and go, and works beside the deletes below.
    others = (
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
    )
    await connection.execute(f"SELECT pg_terminate_backend(pid) {others}")
    deadline = asyncio.get_running_loop().time() + CONNECTIONS_END_SECONDS
    while await connection.fetchval(f"SELECT count(*) {others}"):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
