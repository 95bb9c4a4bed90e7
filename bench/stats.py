"""The statistics rows' data: a year of cases (2024, before every other row's cases) in every
catalogue service and district, with the mix a mature service has: 90 % completed (in 0 to 11
working days, about two thirds within their SLA), 5 % rejected, 2 % cancelled, 3 % still open,
and a rating with its nine-element survey on a third of the completed ones.

The cases go in through the real triggers (migrations/0015_statistics.sql), then the pending
changes are folded into the summaries as the worker's `fold_statistics` task does, so the reads
measured are the ones production makes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from serang_app.db.pool import open_database
from serang_app.stats.folding import fold_statistics

YEAR = 2024
STAFF_EMAIL = "bench-admin@serangkab.go.id"

_RESIDENT = "INSERT INTO residents (locale, name) VALUES ('id', 'Bench Statistik') RETURNING id"
_CASES = """
WITH services AS (
    SELECT row_number() OVER (ORDER BY code) - 1 AS n, code, module, opd_code FROM catalogue_services
), districts AS (
    SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM regions WHERE level = 'district'
), sizes AS (
    SELECT (SELECT count(*) FROM services) AS services, (SELECT count(*) FROM districts) AS districts
)
INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, district_code, status, phase,
                   sla_days, due_at, created_at, updated_at, closed_at, working_days_taken)
SELECT 'STA-' || to_char(g, 'FM0000000'), s.module, 'bench', s.code, $2, s.opd_code, d.code, made.phase,
       made.phase, 5, made.created + interval '7 days', made.created, made.created,
       CASE WHEN made.phase <> 'submitted' THEN made.created + made.taken * interval '1 day' + interval '2 hours' END,
       CASE WHEN made.phase = 'completed' THEN made.taken END
FROM generate_series(1, $1) AS g
CROSS JOIN sizes
CROSS JOIN LATERAL (
    SELECT make_timestamptz($3, 1, 1, 8, 0, 0, 'Asia/Jakarta') + (g % 366) * interval '1 day'
               + (g::bigint * 7919 % 28800) * interval '1 second' AS created,
           g * 31 % 12 AS taken,
           CASE WHEN g % 100 < 90 THEN 'completed' WHEN g % 100 < 95 THEN 'rejected'
                WHEN g % 100 < 97 THEN 'cancelled' ELSE 'submitted' END AS phase
) AS made
JOIN services s ON s.n = g % sizes.services
JOIN districts d ON d.n = (g / 7) % sizes.districts
"""
_RATINGS = """
INSERT INTO case_ratings (case_id, stars, requirements, procedure, service_time, cost, product, competence,
                          behaviour, complaint_handling, facilities, created_at)
SELECT id, 1 + n % 5, 1 + n % 4, 1 + (n / 3) % 4, 1 + (n / 5) % 4, 4, 1 + (n / 7) % 4, 3, 1 + (n / 11) % 4,
       1 + (n / 13) % 4, 2 + n % 3, closed_at + interval '1 hour'
FROM (SELECT id, closed_at, substr(reference, 5)::int AS n FROM cases
      WHERE reference LIKE 'STA-%' AND phase = 'completed') AS completed
WHERE n % 3 = 0
"""
_ADMIN = """
INSERT INTO staff (email, name, password_hash, role, opd_code)
VALUES ($1, 'Bench Admin', 'not-a-password-hash', 'admin', 'DISKOMINFOSATIK') RETURNING id
"""


@dataclass(frozen=True, slots=True)
class StatsSetup:
    admin_id: str
    cases: int
    ratings: int
    seconds: float
    fold_seconds: float


async def seed_statistics(dsn: str, count: int) -> StatsSetup:
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        resident_id = await connection.fetchval(_RESIDENT)
        await connection.execute(_CASES, count, resident_id, YEAR)
        await connection.execute(_RATINGS)
        ratings: int = await connection.fetchval(
            "SELECT count(*) FROM case_ratings r JOIN cases c ON c.id = r.case_id WHERE c.reference LIKE 'STA-%'"
        )
        admin_id = await connection.fetchval(_ADMIN, STAFF_EMAIL)
        seeded = time.monotonic()
        # What the worker does every few seconds; here once, for everything seeded by every row.
        database = await open_database(dsn, min_size=1, max_size=1, connect_timeout=10)
        try:
            await fold_statistics(database)
        finally:
            await database.close()
        await connection.execute("VACUUM (ANALYZE) cases, stats_monthly, stats_durations")
    finally:
        await connection.close()
    return StatsSetup(
        admin_id=str(admin_id),
        cases=count,
        ratings=ratings,
        seconds=time.monotonic() - started,
        fold_seconds=time.monotonic() - seeded,
    )
