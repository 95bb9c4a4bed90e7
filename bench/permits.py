"""The permits row: issued permits generated in PostgreSQL, one verification code to look up.

Each permit is a whole chain as the module leaves it: a resident, a case in the permits workflow,
the application and the issued row with its number and a random 16-character code. A tenth are
revoked and a tenth expired, so the index holds all three kinds.
"""

from __future__ import annotations

import time

import asyncpg

_PERMITS = """
WITH holders AS (
    INSERT INTO residents (locale, name) SELECT 'id', 'Pemegang Izin ' || g FROM generate_series(1, $1) AS g
    RETURNING id, name
), numbered AS (
    SELECT row_number() OVER () AS n, id, name FROM holders
), opened AS (
    INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, status, phase, sla_days,
                       due_at, closed_at)
    SELECT 'IZB-' || to_char(n, 'FM000000000'), 'permits', 'permit', 'permits.apply', id, 'DPMPTSP', 'issued',
           'completed', 3, now(), now()
    FROM numbered
    RETURNING id, resident_id
), applied AS (
    INSERT INTO permits.applications (resident_id, type_code, definition_version, case_id, submitted_at)
    SELECT resident_id, 'business_certificate', 1, id, now() FROM opened
    RETURNING id, case_id, resident_id
)
INSERT INTO permits.issued (case_id, application_id, number, holder_name, issued_at, expires_at,
                            verification_code, revoked_at)
SELECT a.case_id, a.id, 'SKB/2026/' || to_char(n.n, 'FM000000000'), n.name, now() - interval '100 days',
       CASE WHEN n.n % 10 = 1 THEN now() - interval '1 day' ELSE now() + interval '265 days' END,
       substr(translate(encode(decode(md5(n.n || '/' || random()), 'hex'), 'base64'), '+/', '-_'), 1, 16),
       CASE WHEN n.n % 10 = 2 THEN now() - interval '3 days' END
FROM applied a JOIN numbered n ON n.id = a.resident_id
"""
# A valid one: what a third party scanning a permit usually finds.
_A_VALID_CODE = """
SELECT verification_code FROM permits.issued
WHERE revoked_at IS NULL AND expires_at > now() ORDER BY number DESC LIMIT 1
"""


async def seed_permits(dsn: str, count: int) -> tuple[str, float]:
    """Insert the permits; returns a valid permit's verification code and the seconds it took."""
    started = time.monotonic()
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute(_PERMITS, count)
        await connection.execute(
            "VACUUM (ANALYZE) residents, cases, permits.applications, permits.issued, permits.definition_versions"
        )
        code: str = await connection.fetchval(_A_VALID_CODE)
    finally:
        await connection.close()
    return code, time.monotonic() - started
