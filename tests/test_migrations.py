"""The migration runner: order, namespaces, checksums, and one run at a time."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncpg
import pytest

from serang_app.db.migrations import (
    CORE_NAMESPACE,
    MigrationError,
    MigrationSource,
    apply_migrations,
    core_migrations_folder,
    migration_status,
)
from serang_app.regions.reference_data import DATA_VERSION
from tests.support.processes import SERANG_APP


def _core() -> MigrationSource:
    return MigrationSource(CORE_NAMESPACE, core_migrations_folder())


CORE_FILES = sorted(path.name for path in core_migrations_folder().glob("*.sql"))


async def _ledger(dsn: str) -> list[tuple[str, str]]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT namespace, name FROM schema_migrations ORDER BY namespace, name")
    finally:
        await connection.close()
    return [(row["namespace"], row["name"]) for row in rows]


async def test_core_migrations_apply_once(empty_database: str) -> None:
    applied = await apply_migrations(empty_database, [_core()])
    assert CORE_FILES[:3] == ["0001_core_tables.sql", "0002_regions.sql", "0003_opds.sql"]
    assert applied == [f"core/{name}" for name in CORE_FILES]
    assert await apply_migrations(empty_database, [_core()]) == []
    states = await migration_status(empty_database, [_core()])
    assert {state.state for state in states} == {"applied"}


async def test_a_module_migrates_into_its_own_schema_after_the_core(empty_database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int REFERENCES opds (code));")
    with pytest.raises(MigrationError, match=r"parks/0001_things.sql failed"):
        # The reference is wrong on purpose (int vs text): the error names the file.
        await apply_migrations(empty_database, [_core(), MigrationSource("parks", tmp_path)])
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (opd text REFERENCES public.opds (code));")
    applied = await apply_migrations(empty_database, [_core(), MigrationSource("parks", tmp_path)])
    assert applied == ["parks/0001_things.sql"]
    connection = await asyncpg.connect(empty_database)
    try:
        assert await connection.fetchval("SELECT to_regclass('parks.things')::text") == "parks.things"
    finally:
        await connection.close()


async def test_a_module_migration_sees_the_contracts_views_not_the_core_tables(
    empty_database: str, tmp_path: Path
) -> None:
    """search_path is the module's schema and `core`: an unqualified core name is the contract's view."""
    source = MigrationSource("parks", tmp_path)
    (tmp_path / "0001_agencies.sql").write_text("CREATE VIEW agencies AS SELECT code, name FROM opds;")
    assert (await apply_migrations(empty_database, [_core(), source]))[-1] == "parks/0001_agencies.sql"
    connection = await asyncpg.connect(empty_database)
    try:
        read_from = await connection.fetchval(
            """SELECT DISTINCT d.refobjid::regclass::text FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid
               WHERE r.ev_class = 'parks.agencies'::regclass AND d.refobjid <> 'parks.agencies'::regclass"""
        )
    finally:
        await connection.close()
    assert read_from == "core.opds"
    # The residents' phone numbers are not in the contract, and the other core tables are not there at all.
    (tmp_path / "0002_phones.sql").write_text("CREATE VIEW phones AS SELECT id, phone FROM residents;")
    with pytest.raises(MigrationError, match=r'parks/0002_phones.sql failed: column "phone" does not exist'):
        await apply_migrations(empty_database, [_core(), source])
    (tmp_path / "0002_phones.sql").write_text("CREATE VIEW services AS SELECT code FROM catalogue_services;")
    with pytest.raises(MigrationError, match=r'relation "catalogue_services" does not exist'):
        await apply_migrations(empty_database, [_core(), source])


async def test_a_failed_file_leaves_nothing_behind(empty_database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_half.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(MigrationError, match=r"parks/0001_half\.sql failed"):
        await apply_migrations(empty_database, [_core(), MigrationSource("parks", tmp_path)])
    connection = await asyncpg.connect(empty_database)
    try:
        assert await connection.fetchval("SELECT to_regclass('parks.half')") is None
    finally:
        await connection.close()
    assert ("parks", "0001_half.sql") not in await _ledger(empty_database)


async def test_an_applied_file_that_changed_stops_the_run(empty_database: str, tmp_path: Path) -> None:
    source = MigrationSource("parks", tmp_path)
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int);")
    await apply_migrations(empty_database, [_core(), source])
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id bigint);")
    (tmp_path / "0002_more.sql").write_text("CREATE TABLE more (id int);")
    with pytest.raises(MigrationError) as raised:
        await apply_migrations(empty_database, [_core(), source])
    assert str(raised.value).startswith("parks/0001_things.sql was changed after it was applied")
    assert ("parks", "0002_more.sql") not in await _ledger(empty_database)
    states = {(s.name, s.state) for s in await migration_status(empty_database, [_core(), source])}
    assert {("0001_things.sql", "changed"), ("0002_more.sql", "pending")} <= states


def test_a_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "add things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"expected a name like 0001_create_things\.sql"):
        asyncio.run(apply_migrations("postgresql://unused", [MigrationSource("parks", tmp_path)]))


@pytest.mark.e2e
async def test_two_replicas_migrating_at_once_apply_each_file_exactly_once(empty_database: str) -> None:
    """Two real `serang-app migrate apply` processes started together."""
    env = {"DATABASE_URL": empty_database, "SERANG_MODULES": "none", "PATH": str(Path(SERANG_APP).parent)}
    processes = [
        await asyncio.create_subprocess_exec(
            SERANG_APP, "migrate", "apply", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=120)
    assert [p.returncode for p in processes] == [0, 0], outputs
    summaries = sorted(stdout.decode().splitlines()[0] for stdout, _ in outputs)
    assert summaries == ["applied 0 migration(s)", f"applied {len(CORE_FILES)} migration(s)"]
    # The region's rows are loaded once too, by one of them (regions/loading.py).
    loaded = [line for stdout, _ in outputs for line in stdout.decode().splitlines() if line.startswith("loaded")]
    assert loaded == [f"loaded region 36.04: 356 rows ({DATA_VERSION})"]
    assert await _ledger(empty_database) == [("core", name) for name in CORE_FILES]
    connection = await asyncpg.connect(empty_database)
    try:
        assert await connection.fetchval("SELECT count(*) FROM regions") == 356
    finally:
        await connection.close()


async def test_staff_addresses_that_collide_once_canonical_are_named(empty_database: str, tmp_path: Path) -> None:
    before = tmp_path / "core"
    before.mkdir()
    for path in core_migrations_folder().glob("*.sql"):
        if path.name < "0016_staff_canonical_email.sql":
            (before / path.name).write_text(path.read_text())
    await apply_migrations(empty_database, [MigrationSource(CORE_NAMESPACE, before)])
    connection = await asyncpg.connect(empty_database)
    try:
        insert = (
            "INSERT INTO staff (email, name, password_hash, role, opd_code) VALUES ($1, 'x', 'x', 'officer', 'DPUPR')"
        )
        await connection.execute(insert, "Rina@DPUPR.test")
        fullwidth = await connection.fetchval(
            insert + " RETURNING id", "\N{FULLWIDTH LATIN SMALL LETTER R}ina@dpupr.test"
        )
        ascii_id = await connection.fetchval("SELECT id FROM staff WHERE email = 'Rina@DPUPR.test'")
        with pytest.raises(MigrationError, match="share an e-mail address") as refused:
            await apply_migrations(empty_database, [_core()])
        assert str(ascii_id) in str(refused.value)
        assert str(fullwidth) in str(refused.value)
        await connection.execute("UPDATE staff SET email = 'rina.lain@dpupr.test' WHERE id = $1", fullwidth)
        assert await apply_migrations(empty_database, [_core()])
        assert await connection.fetchval("SELECT email FROM staff WHERE id = $1", ascii_id) == "rina@dpupr.test"
        with pytest.raises(asyncpg.CheckViolationError):
            await connection.execute(insert, "Budi@dpupr.test")
    finally:
        await connection.close()
