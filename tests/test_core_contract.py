"""The core data contract (migrations/0019_core_contract.sql, docs/core-api.md "The data contract"):
read-only views of schema core, as documented, versioned, holding no personal data beyond a
display name, and planned by PostgreSQL as the tables they show."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from serang_app.api import (
    CORE_CONTRACT_VERSION,
    ApiError,
    Notice,
    agency_problems,
    cancel_scheduled_notifications,
    create_service_resident,
    lock_resident,
    lock_resident_reading,
    notify_resident,
    require_agency,
    write_with_notices,
)
from serang_app.db.conditions import Conditions
from serang_app.db.migrations import apply_migrations
from serang_app.db.pool import Database
from serang_app.lifespan import migration_sources
from serang_app.module_system.module_sql import code_problems
from serang_app.modules.appointments import appointments_module
from serang_app.modules.appointments.booking import _BOOKINGS
from serang_app.modules.complaints import complaints_module
from serang_app.modules.complaints.open311.documents import _REQUEST
from serang_app.modules.complaints.public_view import public_query
from serang_app.modules.complaints.reading import _DETAIL, _FEED, _NEWEST_FIRST, _ONE, NEARBY
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
    return (
        sql.replace("core.", "public.")
        .replace("p.is_erased", "p.erased_at IS NOT NULL")
        .replace("u.is_hidden", "(u.hidden_at IS NOT NULL)")
    )


def _shape(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every node of the plan: its kind, the table it reads and the index it uses."""
    own = [(plan["Node Type"], plan.get("Relation Name", ""), plan.get("Index Name", ""))]
    return own + [node for child in plan.get("Plans", ()) for node in _shape(child)]


async def _plan(connection: asyncpg.Connection, sql: str, arguments: tuple[object, ...]) -> list[tuple[str, str, str]]:
    explained = await connection.fetchval(f"EXPLAIN (FORMAT JSON, COSTS OFF) {sql}", *arguments)
    return _shape(json.loads(explained)[0]["Plan"])


SOMEONE = uuid.UUID(int=7)
# The feed's first page without filters, as the keyset helper builds it.
_FEED_SQL, _FEED_VALUES = _NEWEST_FIRST.page(20, None).query(_FEED, Conditions())
HOT_QUERIES = {
    # Nearby complaints: the GiST index of the pin, the case by its key, no agency or region read.
    "nearby": (NEARBY, (-6.12, 106.15, 0.01, 0.01, 1000.0, None, 20)),
    "feed": (_FEED_SQL, tuple(_FEED_VALUES)),
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


# --- the calls that replaced modules' writes to core tables ---------------------------------------


async def test_cancelling_scheduled_notifications_leaves_those_already_due(app_database: Database) -> None:
    async with app_database.acquire() as db:
        await _one_of_everything(db)
        case = await db.fetchrow("SELECT resident_id, id FROM core.cases")
        assert case is not None
        later = datetime.now(UTC) + timedelta(days=1)
        async with db.transaction():
            for template, at in (("lamps.reminder", later), ("lamps.reminder", None), ("lamps.other", later)):
                await notify_resident(
                    db, case["resident_id"], case["id"], source="lamps", template=template, params={}, at=at
                )
        async with db.transaction():
            assert await cancel_scheduled_notifications(db, case["id"], ["lamps.reminder"]) == 1
        left = await db.fetch("SELECT template, created_at <= now() AS due FROM notifications ORDER BY template, due")
        assert [(row["template"], row["due"]) for row in left] == [("lamps.other", False), ("lamps.reminder", True)]
        assert await db.fetchval("SELECT count(*) FROM push_jobs") == 2  # the cancelled one's push went with it


async def test_a_service_resident_has_a_name_and_nothing_to_sign_in_with(db: asyncpg.Connection) -> None:
    async with db.transaction():
        resident = await create_service_resident(db, "Call centre 112")
    row = await db.fetchrow("SELECT name, phone, firebase_uid, nik_index FROM residents WHERE id = $1", resident)
    assert row is not None
    assert dict(row) == {"name": "Call centre 112", "phone": None, "firebase_uid": None, "nik_index": None}
    assert await db.fetchval("SELECT name FROM core.residents WHERE id = $1", resident) == "Call centre 112"


async def test_locking_a_resident_holds_their_second_request_until_the_first_commits(database_url: str) -> None:
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        resident = await first.fetchval("INSERT INTO residents (name) VALUES ('Siti') RETURNING id")
        holding = first.transaction()
        await holding.start()
        await lock_resident(first, resident)
        async with second.transaction():
            waiting = asyncio.ensure_future(lock_resident(second, resident))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            await holding.commit()
            await asyncio.wait_for(waiting, timeout=10)
    finally:
        await first.close()
        await second.close()


async def test_a_modules_write_carries_the_residents_notifications(app_database: Database) -> None:
    """write_with_notices: the module's own write and the notifications with their push jobs, in
    one statement; the write's rows come back."""
    async with app_database.acquire() as db:
        await _one_of_everything(db)
        case = await db.fetchrow("SELECT resident_id, id FROM core.cases")
        assert case is not None
        later = datetime.now(UTC) + timedelta(days=1)
        async with db.transaction():
            rows = await write_with_notices(
                db,
                "UPDATE cases SET is_public = $2 WHERE id = $1 RETURNING id, is_public",
                (case["id"], True),
                case["resident_id"],
                case["id"],
                source="lamps",
                notices=[Notice("lamps.booked", {"n": 1}), Notice("lamps.reminder", {"n": 2}, later)],
            )
        assert [dict(row) for row in rows] == [{"id": case["id"], "is_public": True}]
        told = await db.fetch(
            """SELECT n.recipient_kind, n.recipient_id, n.case_id, n.source, n.template, n.params,
                      n.created_at > now() AS scheduled, j.not_before = n.created_at AS pushed_then
               FROM notifications n JOIN push_jobs j ON j.notification_id = n.id ORDER BY n.template"""
        )
        assert [dict(row) for row in told] == [
            {
                "recipient_kind": "resident",
                "recipient_id": case["resident_id"],
                "case_id": case["id"],
                "source": "lamps",
                "template": template,
                "params": params,
                "scheduled": scheduled,
                "pushed_then": True,
            }
            for template, params, scheduled in (("lamps.booked", {"n": 1}, False), ("lamps.reminder", {"n": 2}, True))
        ]
        # Without notices the write alone runs.
        async with db.transaction():
            rows = await write_with_notices(
                db,
                "DELETE FROM case_events WHERE case_id = $1 RETURNING kind",
                (case["id"],),
                case["resident_id"],
                case["id"],
                source="lamps",
                notices=[],
            )
        assert [row["kind"] for row in rows] == ["created"]
        assert await db.fetchval("SELECT count(*) FROM notifications") == 2


async def test_locking_a_resident_with_a_read_checks_the_account(db: asyncpg.Connection) -> None:
    """lock_resident_reading: the read's row (None when it finds nothing) for an active account;
    401 for an erased one or an ended session, as authentication would answer."""
    resident = await db.fetchval("INSERT INTO residents (name) VALUES ('Siti') RETURNING id")
    session, ended = uuid.uuid4(), uuid.uuid4()
    await db.execute("INSERT INTO revoked_sessions (session_id) VALUES ($1)", ended)
    read = "SELECT code, short_name FROM core.opds WHERE code = $1"
    async with db.transaction():
        found = await lock_resident_reading(db, resident, session, read, ("DPUPR",))
        assert found is not None
        assert sorted(found) == ["code", "short_name"]
        assert found["code"] == "DPUPR"
        assert await lock_resident_reading(db, resident, None, read, ("NOPE",)) is None
    for who, session_id in ((resident, ended), (uuid.uuid4(), session)):
        with pytest.raises(ApiError) as refused:
            async with db.transaction():
                await lock_resident_reading(db, who, session_id, read, ("DPUPR",))
        assert refused.value.status_code == 401
    await db.execute("UPDATE residents SET erased_at = now() WHERE id = $1", resident)
    with pytest.raises(ApiError) as refused:
        async with db.transaction():
            await lock_resident_reading(db, resident, session, read, ("DPUPR",))
    assert refused.value.status_code == 401


async def test_locking_a_resident_with_a_read_waits_for_the_first_holder(database_url: str) -> None:
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        resident = await first.fetchval("INSERT INTO residents (name) VALUES ('Siti') RETURNING id")
        holding = first.transaction()
        await holding.start()
        await lock_resident(first, resident)
        async with second.transaction():
            waiting = asyncio.ensure_future(lock_resident_reading(second, resident, None, "SELECT 1 AS one", ()))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            await holding.commit()
            assert await asyncio.wait_for(waiting, timeout=10) == {"one": 1}
    finally:
        await first.close()
        await second.close()


async def test_an_agency_is_required_to_be_open(db: asyncpg.Connection) -> None:
    await db.execute("UPDATE opds SET is_active = false WHERE code = 'DINSOS'")
    assert await agency_problems(db, "DPUPR") == []
    for code in ("DINSOS", "NOPE"):
        (problem,) = await agency_problems(db, code, field="agency")
        assert (problem.field, problem.id, problem.en) == ("agency", "OPD tidak dikenal", "Unknown agency")
        with pytest.raises(ApiError) as raised:
            await require_agency(db, code)
        assert raised.value.status_code == 422


def test_the_check_reads_a_modules_sql_as_postgresql_does(tmp_path: Path) -> None:
    source = tmp_path / "queries.py"
    source.write_text(
        '''"""Update the requests: a docstring, not SQL."""
COLUMNS = "r.case_id, c.reference"
MINE = f"SELECT {COLUMNS} FROM wells.requests r JOIN core.cases c ON c.id = r.case_id FOR UPDATE OF r"
RECENT = """WITH recent AS (SELECT case_id FROM wells.requests) SELECT * FROM recent"""
PEEK = f"SELECT {COLUMNS} FROM public.staff"
BARE = "DELETE FROM notifications WHERE case_id = $1"
OTHER = "select 1 from permits.applications"
'''
    )
    problems = code_problems("wells", [source])
    assert [problem.split(": ", 1)[0] for problem in problems] == ["queries.py:5", "queries.py:6", "queries.py:7"]
    assert "names the core table public.staff" in problems[0]
    assert "names 'notifications' without a schema" in problems[1]
    assert "names permits.applications, outside the module's schema 'wells'" in problems[2]
