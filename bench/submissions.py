"""The submission row's drafts: complete applications to a shipped defined service, generated in
PostgreSQL, so that every submission during the run has a draft of its own.

The service is DISTAN's animal health certificate (any resident may apply, one required
document); each draft holds answers that pass the form's checks and its ID card, a completed
upload attached as the app leaves it (PUT .../documents/id_card), which submission hands to the
case.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import asyncpg
import msgspec

SERVICE_CODE = "distan_animal_health_certificate"

_ANSWERS = {
    "species": "goat",
    "animal_count": 12.0,  # a form number is a float: jsonb keeps the ".0"
    "purpose": "sacrifice",
    "animal_location": "Kp. Cikande RT 02/03, Kecamatan Cikande",
    "destination_scope": "within_regency",
    "destination_address": "Pasar Hewan Ciruas, Kecamatan Ciruas",
    "departure_date": "2026-12-20T08:00:00+07:00",
    "transport": "Truk bak terbuka A 8123 XY",
}
_RESIDENTS = "INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1) RETURNING id"
# Drafts as POST /v1/permits/applications, its PATCH and PUT .../documents leave them: the type,
# the answers, the ID card attached; no case yet.
_DRAFTS = """
CREATE TEMP TABLE bench_drafts AS
WITH made AS (
    INSERT INTO permits.applications (resident_id, type_code, answers)
    SELECT r.id, $2, $3::jsonb FROM unnest($1::uuid[]) AS r(id) CROSS JOIN generate_series(1, $4)
    RETURNING id, resident_id
)
SELECT id, resident_id, gen_random_uuid() AS upload_id FROM made
"""
_UPLOADS = """
INSERT INTO uploads (id, resident_id, purpose, declared_type, declared_bytes, object_key, status, content_type,
                     completed_at, attached_at)
SELECT upload_id, resident_id, 'permit_document', 'application/pdf', 200000, 'uploads/' || upload_id, 'completed',
       'application/pdf', now(), now()
FROM bench_drafts
"""
_DOCUMENTS = """
INSERT INTO permits.application_documents (application_id, document_code, upload_id)
SELECT id, 'id_card', upload_id FROM bench_drafts
"""


@dataclass(frozen=True, slots=True)
class Applicant:
    resident_id: str
    drafts: list[str]  # application ids, each submitted once


async def seed_drafts(dsn: str, residents: int, per_resident: int) -> tuple[list[Applicant], float]:
    """`residents` applicants with `per_resident` complete drafts each; and the seconds it took."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        made = [row["id"] for row in await connection.fetch(_RESIDENTS, residents)]
        await connection.execute(_DRAFTS, made, SERVICE_CODE, msgspec.json.encode(_ANSWERS).decode(), per_resident)
        await connection.execute(_UPLOADS)
        await connection.execute(_DOCUMENTS)
        rows = await connection.fetch("SELECT id, resident_id FROM bench_drafts ORDER BY id")
        await connection.execute(
            "VACUUM (ANALYZE) residents, uploads, permits.applications, permits.application_documents"
        )
    finally:
        await connection.close()
    drafts: dict[uuid.UUID, list[str]] = {resident: [] for resident in made}
    for row in rows:
        drafts[row["resident_id"]].append(str(row["id"]))
    applicants = [Applicant(str(resident), ids) for resident, ids in drafts.items()]
    return applicants, time.monotonic() - started


# What one submission leaves, per case: timeline entries, audit entries, staff notices, search
# rows and uploads handed over. The ceiling must leave the same, or it is not the same writes.
_WRITES = """
WITH filed AS (
    SELECT c.id FROM cases c JOIN permits.applications a ON a.case_id = c.id
    WHERE c.resident_id = ANY($1::uuid[])
)
SELECT (SELECT count(*) FROM filed) AS cases,
       (SELECT count(*) FROM case_events WHERE case_id IN (SELECT id FROM filed)) AS events,
       (SELECT count(*) FROM audit_log WHERE object_type = 'case' AND object_id IN (SELECT id::text FROM filed))
           AS audit,
       (SELECT count(*) FROM notifications WHERE case_id IN (SELECT id FROM filed)) AS notices,
       (SELECT count(*) FROM case_search WHERE case_id IN (SELECT id FROM filed)) AS words,
       (SELECT count(*) FROM uploads WHERE case_id IN (SELECT id FROM filed)) AS uploads
"""


async def writes_per_case(dsn: str, applicants: list[Applicant]) -> dict[str, float]:
    """The rows the applicants' submissions wrote, per filed case."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        row = await connection.fetchrow(_WRITES, [uuid.UUID(a.resident_id) for a in applicants])
    finally:
        await connection.close()
    assert row is not None  # an aggregate always answers one row
    cases = row["cases"] or 1
    return {name: round(row[name] / cases, 2) for name in ("events", "audit", "notices", "words", "uploads")}
