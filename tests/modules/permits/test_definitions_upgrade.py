"""Upgrading a database that holds permits to the release with service definitions (module
migration 0003): every permit type becomes a published definition, the submitted applications
are pinned to version 1 and keep verifying, drafts follow the latest version, a closed type stays
closed and the number counters go on where they were, so no number is given twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg

from serang_app.db.migrations import CORE_NAMESPACE, MigrationSource, apply_migrations
from serang_app.modules.permits.issuing import VERIFY
from tests.support.database import PROJECT_ROOT

PERMIT_MIGRATIONS = PROJECT_ROOT / "src" / "serang_app" / "modules" / "permits" / "migrations"
CORE = MigrationSource(CORE_NAMESPACE, PROJECT_ROOT / "migrations")

_PERMIT_HELD = """
WITH holder AS (INSERT INTO residents (locale, name) VALUES ('id', 'Siti Aminah') RETURNING id),
opened AS (
    INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase, sla_days,
                       due_at, closed_at)
    SELECT 'IZN-2612-000001', 'permits', 'permit', 'permits.apply', id, 'DPMPTSP', 'issued', 'completed', 3,
           now(), now() FROM holder
    RETURNING id, resident_id
), applied AS (
    INSERT INTO permits.applications (resident_id, type_code, answers, case_id, submitted_at)
    SELECT resident_id, 'business_certificate', '{"business_name": "Warung Siti"}', id, now() FROM opened
    RETURNING id, case_id, resident_id
), drafted AS (
    INSERT INTO permits.applications (resident_id, type_code) SELECT resident_id, 'research' FROM applied
)
INSERT INTO permits.issued (case_id, application_id, number, holder_name, expires_at, verification_code)
SELECT case_id, id, 'SKU/2026/000007', 'Siti Aminah', now() + interval '300 days', 'AAAAAAAAAAAAAAAA' FROM applied
"""


async def test_permits_held_before_the_upgrade_are_definitions_after_it(empty_database: str, tmp_path: Path) -> None:
    before = tmp_path / "permits"
    before.mkdir()
    for name in ("0001_permits.sql", "0002_issued_permits.sql"):
        shutil.copy(PERMIT_MIGRATIONS / name, before / name)
    await apply_migrations(empty_database, [CORE, MigrationSource("permits", before)])
    connection = await asyncpg.connect(empty_database)
    try:
        await connection.execute(
            "INSERT INTO catalogue_services (code, module, opd_code, title, description) "
            "VALUES ('permits.apply', 'permits', 'DPMPTSP', '{}', '{}')"
        )
        await connection.execute(_PERMIT_HELD)
        await connection.execute("INSERT INTO permits.number_counters VALUES ('SKU', 2026, 7)")
        await connection.execute("UPDATE permits.types SET is_active = false, sla_days = 9 WHERE code = 'crowd_event'")

        applied = await apply_migrations(empty_database, [CORE, MigrationSource("permits", PERMIT_MIGRATIONS)])
        assert applied == ["permits/0003_service_definitions.sql"]

        definitions = await connection.fetch(
            "SELECT code, published_version, permit_prefix, closed_at IS NOT NULL AS closed FROM permits.definitions"
        )
        assert {
            row["code"]: (row["published_version"], row["permit_prefix"], row["closed"]) for row in definitions
        } == {
            "business_certificate": (1, "SKU", False),
            "advertisement": (1, "IRK", False),
            "research": (1, "IPN", False),
            "crowd_event": (1, "IKR", True),
            "health_facility": (1, "IOF", False),
        }
        crowd = await connection.fetchval(
            "SELECT body FROM permits.definition_versions WHERE code = 'crowd_event' AND version = 1"
        )
        assert '"sla_days": 9' in crowd
        assert '"number_pattern": "IKR/{year}/{seq}"' in crowd
        assert '"approval": "supervisor"' in crowd
        pinned = await connection.fetch(
            "SELECT type_code, definition_version FROM permits.applications ORDER BY type_code"
        )
        assert [tuple(row) for row in pinned] == [("business_certificate", 1), ("research", None)]
        # The permit issued before still verifies, with its type's title.
        verified = await connection.fetchrow(VERIFY, "AAAAAAAAAAAAAAAA")
        assert verified is not None
        assert verified["number"] == "SKU/2026/000007"
        assert '"Surat Keterangan Usaha"' in verified["title"]
        # The counter goes on: the next business certificate of 2026 is the eighth.
        counted = await connection.fetchval(
            "SELECT last_value FROM permits.letter_counters WHERE pattern = 'SKU/{year}/{seq}' AND year = 2026"
        )
        assert counted == 7
    finally:
        await connection.close()
