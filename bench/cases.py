"""The cases row: a database the size the issue names, one resident with a long history.

1,000,000 cases over 100,000 residents (BENCH_CASES, BENCH_CASE_RESIDENTS), of which the
measured resident holds 200; created over the past year, in a mix of phases. Generated inside
PostgreSQL (generate_series), which takes well under a minute here.
"""

from __future__ import annotations

import time
import uuid

import asyncpg

MEASURED_RESIDENT_CASES = 200

_RESIDENTS = "INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1)"
_NUMBERED = """
CREATE TEMP TABLE bench_residents AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM residents WHERE phone IS NULL
"""
# Resident 0 is the measured one: cases 1..200 go to it, the rest round-robin over the others.
_CASES = """
INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase,
                   sla_days, due_at, created_at, updated_at, closed_at)
SELECT 'BNC-' || to_char(g, 'FM0000000'), $2, 'bench', $3, r.id, $4,
       phase, phase, 5, created + interval '7 days', created, created + interval '1 day',
       CASE WHEN phase IN ('completed', 'rejected', 'cancelled') THEN created + interval '1 day' END
FROM generate_series(1, $1) AS g
CROSS JOIN LATERAL (
    SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS created,
           (ARRAY['submitted', 'in_progress', 'waiting_for_resident', 'completed', 'rejected', 'cancelled'])[1 + g % 6]
               AS phase
) AS made
JOIN bench_residents r ON r.n = CASE WHEN g <= $5 THEN 0 ELSE 1 + g % ($6 - 1) END
"""


async def seed_cases(
    dsn: str, *, module: str, service_code: str, opd_code: str, cases: int, residents: int
) -> tuple[uuid.UUID, float]:
    """Insert the residents and cases; returns the measured resident's id and the seconds it took."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(_RESIDENTS, residents)
        await connection.execute(_NUMBERED)
        await connection.execute(_CASES, cases, module, service_code, opd_code, MEASURED_RESIDENT_CASES, residents)
        await connection.execute("ANALYZE residents; ANALYZE cases")
        resident_id: uuid.UUID = await connection.fetchval("SELECT id FROM bench_residents WHERE n = 0")
    finally:
        await connection.close()
    return resident_id, time.monotonic() - started
