"""The complaints rows: a million complaints spread over the regency, generated in PostgreSQL.

A third are open, four in five public, in ten categories, over the past year, each at a uniformly
random point of the regency's bounding rectangle (below): around 50 open public complaints per
square kilometre, so a 250 m search finds about ten.
"""

from __future__ import annotations

import time

import asyncpg

# Kabupaten Serang's bounding rectangle: for spreading rows, not for filing (filing checks the
# real boundary, docs/regions.md), so rows in the sea or in Kota Serang are fine here.
SOUTH, NORTH = -6.40, -5.78
WEST, EAST = 105.80, 106.45

# The measured point: the middle of the area (Kragilan/Ciruas, where complaints would be dense).
NEARBY_POINT = ((SOUTH + NORTH) / 2, (WEST + EAST) / 2)
RESIDENTS = 10_000

_RESIDENTS = """
CREATE TEMP TABLE bench_reporters AS
WITH made AS (INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1) RETURNING id)
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM made
"""
_COMPLAINTS = f"""
WITH made AS (
    INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, district_code, status,
                       phase, sla_days, due_at, created_at, updated_at, closed_at, is_public)
    SELECT 'ADB-' || to_char(g, 'FM0000000'), 'complaints', 'complaint', 'complaints.report', r.id, 'DPUPR',
           '36.04.05', s.status, s.phase, 5, created + interval '7 days', created, created + interval '1 day',
           CASE WHEN s.phase IN ('completed', 'rejected', 'cancelled') THEN created + interval '1 day' END,
           g % 5 <> 0
    FROM generate_series(1, $1) AS g
    CROSS JOIN LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second' AS created)
        AS moment
    CROSS JOIN LATERAL (
        SELECT (ARRAY['submitted', 'verified', 'in_progress', 'resolved', 'closed', 'closed', 'closed',
                      'rejected', 'merged', 'closed'])[1 + g % 10] AS status,
               (ARRAY['submitted', 'in_progress', 'in_progress', 'completed', 'completed', 'completed',
                      'completed', 'rejected', 'cancelled', 'completed'])[1 + g % 10] AS phase
    ) AS s
    JOIN bench_reporters r ON r.n = g % $2
    RETURNING id
)
INSERT INTO complaints.reports (case_id, category_code, description, latitude, longitude, created_at)
SELECT id,
       (ARRAY['roads_bridges', 'street_lights', 'drainage_flooding', 'rubbish', 'public_order',
              'social_assistance', 'health_services', 'schools', 'population_documents', 'other'])
           [1 + floor(random() * 10)::int],
       'Laporan uji beban: jalan berlubang di dekat pasar.',
       {SOUTH} + random() * ({NORTH} - {SOUTH}),
       {WEST} + random() * ({EAST} - {WEST}),
       now() - random() * interval '365 days'
FROM made
"""


async def seed_complaints(dsn: str, count: int) -> float:
    """Insert the reporters and the complaints; returns the seconds it took."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(_RESIDENTS, RESIDENTS)
        await connection.execute(_COMPLAINTS, count, RESIDENTS)
        # As a database in service would be: statistics current, hint bits and the visibility map
        # set (else the first reads of each page write it, during the measurement).
        await connection.execute("VACUUM (ANALYZE) cases, complaints.reports, residents")
    finally:
        await connection.close()
    return time.monotonic() - started


async def reporter_ids(dsn: str, count: int) -> list[str]:
    """Residents who file complaints during the creation row, one per connection."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await connection.fetch(
            "INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1) RETURNING id", count
        )
    finally:
        await connection.close()
    return [str(row["id"]) for row in rows]
