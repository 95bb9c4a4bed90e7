"""The core data contract (migrations/0019_core_contract.sql, docs/core-api.md "The data contract"):
read-only views of schema core, as documented, versioned, holding no personal data beyond a
display name, and planned by PostgreSQL as the tables they show."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from serang_app.api import CORE_CONTRACT_VERSION
from serang_app.db.migrations import apply_migrations
from serang_app.lifespan import migration_sources
from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.booking import _BOOKINGS
from serang_app.modules.complaints import complaints_module
from serang_app.modules.complaints.open311.documents import _REQUEST
from serang_app.modules.complaints.public_view import public_query
from serang_app.modules.complaints.reading import _DETAIL, _FEED, _ONE, NEARBY
from serang_app.modules.permits import permits_module
from serang_app.modules.permits.applications import _READ
from tests.support.database import PROJECT_ROOT, TestServer

DOCUMENT = PROJECT_ROOT / "docs" / "core-api.md"
# Columns no view may have: how to reach a person, who they are officially, where files are kept.
PERSONAL = {"phone", "nik_ciphertext", "nik_index", "firebase_uid", "address", "object_key", "files", "locale"}


async def _views(connection: asyncpg.Connection) -> dict[str, list[str]]:
    rows = await connection.fetch(
        """SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns
           FROM information_schema.columns WHERE table_schema = 'core' GROUP BY table_name"""
    )
    return {row["table_name"]: row["columns"] for row in rows}


def _documented_views() -> dict[str, list[str]]:
    """The views docs/core-api.md lists: `| core.name | v1 | col, col, ... |`."""
    found = re.findall(r"^\| `core\.(\w+)` \| v(\d+) \| ([^|]+) \|", DOCUMENT.read_text(), flags=re.MULTILINE)
    return {name: [column.strip(" `") for column in columns.split(",")] for name, _, columns in found}


async def test_the_views_are_documented_versioned_and_hold_no_personal_data(db: asyncpg.Connection) -> None:
    views = await _views(db)
    assert set(views) >= {"cases", "uploads", "opds", "regions", "residents", "public_case_events"}
    assert views == _documented_views()
    assert not {column for columns in views.values() for column in columns} & PERSONAL
    comments = await db.fetch(
        """SELECT c.relname, c.relkind::text AS relkind, obj_description(c.oid, 'pg_class') AS comment
           FROM pg_class c WHERE c.relnamespace = 'core'::regnamespace AND c.relkind IN ('r', 'v', 'm')"""
    )
    assert {row["relkind"] for row in comments} == {"v"}  # views only: nothing of the core is kept twice
    assert all(row["comment"].startswith(f"core contract v{CORE_CONTRACT_VERSION}: ") for row in comments)


@pytest.mark.parametrize(
    ("view", "key", "write"),
    [
        ("cases", "id", "INSERT INTO core.cases (id, reference) VALUES (gen_random_uuid(), 'X-1')"),
        ("cases", "id", "UPDATE core.cases SET opd_code = 'DINSOS' WHERE id = $1"),
        ("cases", "id", "DELETE FROM core.cases WHERE id = $1"),
        ("uploads", "id", "UPDATE core.uploads SET case_id = NULL WHERE id = $1"),
        ("uploads", "id", "DELETE FROM core.uploads WHERE id = $1"),
        ("residents", "id", "INSERT INTO core.residents (name) VALUES ('Service')"),
        ("residents", "id", "UPDATE core.residents SET name = 'Someone else' WHERE id = $1"),
        ("opds", "code", "INSERT INTO core.opds (code, short_name, name) VALUES ('NEW', 'N', 'New')"),
        ("opds", "code", "UPDATE core.opds SET is_active = false WHERE code = $1"),
        ("regions", "code", "DELETE FROM core.regions WHERE code = $1"),
        ("public_case_events", "id", "UPDATE core.public_case_events SET note = 'changed' WHERE id = $1"),
        ("public_case_events", "id", "DELETE FROM core.public_case_events WHERE id = $1"),
    ],
)
async def test_every_view_refuses_writes_even_by_the_owner(
    db: asyncpg.Connection, view: str, key: str, write: str
) -> None:
    await _one_of_everything(db)
    target = await db.fetchval(f"SELECT {key} FROM core.{view} ORDER BY {key} DESC LIMIT 1")
    assert target is not None  # an UPDATE or DELETE has a row to act on
    before = await db.fetch(f"SELECT * FROM core.{view} ORDER BY {key}")
    arguments = [target] if "$1" in write else []
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match=rf"core\.{view} is a read-only view"):
        await db.execute(write, *arguments)
    assert await db.fetch(f"SELECT * FROM core.{view} ORDER BY {key}") == before


async def _one_of_everything(db: asyncpg.Connection) -> None:
    """A resident with a case, an upload attached to it and a public timeline entry, written to the
    core's tables as the core writes them."""
    resident = await db.fetchval("INSERT INTO residents (name, phone) VALUES ('Siti', '+6281200000001') RETURNING id")
    await db.execute(
        """INSERT INTO catalogue_services (code, module, opd_code, title, description)
           VALUES ('lamps.repair', 'lamps', 'DPUPR', '{}', '{}')"""
    )
    case = await db.fetchval(
        """INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase)
           VALUES ('LMP-2612-000001', 'lamps', 'repair', 'lamps.repair', $1, 'DPUPR', 'submitted', 'submitted')
           RETURNING id""",
        resident,
    )
    await db.execute(
        """INSERT INTO uploads (id, resident_id, purpose, declared_type, declared_bytes, object_key, status,
                                content_type, completed_at, case_id, attached_at)
           VALUES ($1, $2, 'complaint_photo', 'image/jpeg', 10, $3, 'completed', 'image/jpeg', now(), $4, now())""",
        uuid.uuid4(),
        resident,
        f"uploads/{uuid.uuid4()}",
        case,
    )
    await db.execute(
        """INSERT INTO case_events (case_id, kind, actor_kind, actor_role, is_public)
           VALUES ($1, 'created', 'resident', 'resident', true)""",
        case,
    )


# --- the views keep the hot module queries' plans ------------------------------------------------


def _before(sql: str) -> str:
    """The query as modules wrote it before the contract: straight from the core's tables."""
    return sql.replace("core.", "public.").replace("p.is_erased", "p.erased_at IS NOT NULL")


def _shape(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every node of the plan: its kind, the table it reads and the index it uses."""
    own = [(plan["Node Type"], plan.get("Relation Name", ""), plan.get("Index Name", ""))]
    return own + [node for child in plan.get("Plans", ()) for node in _shape(child)]


async def _plan(connection: asyncpg.Connection, sql: str, arguments: tuple[object, ...]) -> list[tuple[str, str, str]]:
    explained = await connection.fetchval(f"EXPLAIN (FORMAT JSON, COSTS OFF) {sql}", *arguments)
    return _shape(json.loads(explained)[0]["Plan"])


SOMEONE = uuid.UUID(int=7)
HOT_QUERIES = {
    # Nearby complaints: the GiST index of the pin, the case by its key, no agency or region read.
    "nearby": (NEARBY, (-6.12, 106.15, 0.01, 0.01, 1000.0, None, 20)),
    "feed": (_FEED, (None, None, None, None, None, None, None, None, None, 20)),
    "one public complaint": (_ONE, (SOMEONE,)),
    "open311 requests": (public_query(_REQUEST, "WHERE v.reference = ANY($1::text[])"), (["CMP-2612-000001"],)),
    "complaint detail": (_DETAIL, (SOMEONE,)),
    "photos of a complaint": (
        "SELECT id FROM core.uploads WHERE case_id = $1 AND purpose = 'complaint_photo' ORDER BY attached_at, id",
        (SOMEONE,),
    ),
    "filing's photo check": (
        """SELECT count(*) FROM core.uploads WHERE id = ANY($1::uuid[]) AND resident_id = $2
           AND purpose = 'complaint_photo' AND status = 'completed' AND attached_at IS NULL""",
        ([SOMEONE], SOMEONE),
    ),
    "filing's village check": (
        "SELECT 1 FROM core.regions WHERE code = $1 AND level = 'village' AND parent_code = $2",
        ("36.04.05.2001", "36.04.05"),
    ),
    "my bookings": (
        _BOOKINGS + "WHERE b.resident_id = $1 ORDER BY b.starts_at DESC, b.id DESC LIMIT $2",
        (SOMEONE, 21),
    ),
    "one booking": (_BOOKINGS + "WHERE b.id = $1 FOR UPDATE OF b", (SOMEONE,)),
    "an application": (_READ, (SOMEONE,)),
}


@pytest.fixture(scope="module")
def modules_database(test_server: TestServer) -> Iterator[str]:
    """The core's and the built-in modules' tables, empty: plans need no rows."""
    name = asyncio.run(test_server.create_database())
    dsn = test_server.dsn(name)
    specs = [complaints_module(), permits_module(), appointments_module()]
    asyncio.run(apply_migrations(dsn, migration_sources(specs)))
    yield dsn
    asyncio.run(test_server.drop_database(name))


@pytest.mark.parametrize("query", sorted(HOT_QUERIES))
@pytest.mark.parametrize("seqscan", ["on", "off"])
async def test_a_query_through_the_views_is_planned_as_on_the_tables(
    modules_database: str, query: str, seqscan: str
) -> None:
    """Each view is flattened into the query: the same scans of the same tables by the same indexes,
    and outer joins whose columns a query leaves out are still dropped. With sequential scans
    discouraged (as on a large table), each index the query could use shows."""
    sql, arguments = HOT_QUERIES[query]
    assert "core." in sql
    connection = await asyncpg.connect(modules_database)
    try:
        await connection.execute(f"SET enable_seqscan = {seqscan}")
        through_views = await _plan(connection, sql, arguments)
        before = await _plan(connection, _before(sql), arguments)
    finally:
        await connection.close()
    assert through_views == before
    assert "Subquery Scan" not in {kind for kind, _, _ in through_views}
    if query == "nearby" and seqscan == "off":
        assert ("Index Scan", "reports", "reports_location_idx") in through_views
        assert not {"opds", "regions"} & {table for _, table, _ in through_views}
