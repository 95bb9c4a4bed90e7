"""The people and places of the mixed load, put straight into the database (production has no dev
sign-in): residents with tokens, a phone each and a case or two, officers, an admin, the
complaints nearby to support, and an office with room for a run's bookings.

Tokens are issued with the service's own keys (the run's throw-away SERANG_JWT_KEYS), access
tokens for the access-token lifetime the app sees, so they are refreshed during a run as on a
phone.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from bench.appointments import add_place
from bench.complaints import seed_complaints
from bench.traffic import model
from serang_app.announcements.topics import wanted_topics
from serang_app.auth.access_tokens import AccessSubject, AccessTokens
from serang_app.auth.keys import parse_jwt_keys
from serang_app.auth.refresh_tokens import start_family

PLACE = "bench_traffic_office"  # booking SERVICE (bench/appointments.py)
SEATS = 500  # per 30-minute slot: a run never fills a slot
OFFICER_AGENCY = "DISHUB"  # where street-light complaints go (the category the load files)

_RESIDENTS = "INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1) RETURNING id"
# Each resident's phone, so the worker has a device to push to (FCM's stand-in answers).
_DEVICES = """
INSERT INTO devices (installation_id, resident_id, fcm_token, platform, app_version, locale)
SELECT 'bench-' || id, id, 'bench-fcm-token-' || id, 'android', '1.0.0', 'id' FROM unnest($1::uuid[]) AS id
"""
# Each resident's history: an open complaint an officer can work on, and a resolved one to rate.
_CASES = """
INSERT INTO cases (reference, module, workflow, service_code, resident_id, opd_code, district_code, status, phase,
                   sla_days, due_at, created_at, updated_at, closed_at, is_public)
SELECT 'BTR-' || replace(id::text, '-', '') || '-' || upper(left(status, 1)), 'complaints', 'complaint', 'complaints.report', id,
       $2, '36.04.05', status, phase, 5, now() + interval '5 days', now() - interval '2 days',
       now() - interval '1 day', CASE WHEN phase = 'completed' THEN now() - interval '1 day' END, true
FROM unnest($1::uuid[]) AS id
CROSS JOIN (VALUES ('submitted', 'submitted'), ('resolved', 'completed')) AS history (status, phase)
"""
# The steady state of a service that has run for a year, not its first hour: what the worker
# would have caught up on long before the peak hour is marked done, so a run measures the peak
# and not a one-off backlog. Without these the first minutes of a run went to escalating the
# tens of thousands of seeded complaints past their due time (and pushing the notices), indexing
# their search words and subscribing every seeded phone to its topics: more than a core of the
# two, and pushes of the run queued behind it (docs/performance.md, "The mixed load").
_WORDS_DONE = """
INSERT INTO case_search (case_id, words, resident_findable)
SELECT c.id, coalesce(to_tsvector('indonesian', r.description), ''::tsvector), true
FROM cases c LEFT JOIN complaints.reports r ON r.case_id = c.id
WHERE c.module = 'complaints'
ON CONFLICT (case_id) DO NOTHING
"""
_ESCALATIONS_DONE = """
WITH overdue AS (
    UPDATE cases SET overdue_notified_at = due_at
    WHERE closed_at IS NULL AND paused_since IS NULL AND due_at <= now()
    RETURNING id, due_at
)
INSERT INTO case_escalation_steps (case_id, position, after_working_days, notify, done_at)
SELECT o.id, s.position, s.after_working_days, s.notify, o.due_at
FROM overdue o CROSS JOIN escalation_steps s
WHERE s.opd_code IS NULL
"""
_TOPICS_DONE = "UPDATE devices SET topics = $1, topics_due_at = NULL"
_STAFF = """
INSERT INTO staff (email, name, password_hash, role, opd_code)
VALUES ($1, 'Bench Staff', 'not-a-password-hash', $2, $3) RETURNING id
"""


@dataclass(frozen=True, slots=True)
class Seeded:
    residents: list[dict[str, Any]]
    surge_residents: list[dict[str, Any]]
    officers: list[dict[str, Any]]
    admin: dict[str, Any]
    seconds: float


async def seed_traffic(
    dsn: str, jwt_keys: str, *, residents: int, surge_residents: int, officers: int, complaints: int
) -> Seeded:
    started = time.monotonic()
    keys = parse_jwt_keys(jwt_keys)
    access = AccessTokens(keys, model.ACCESS_TOKEN_SECONDS)
    staff_access = AccessTokens(keys, 3600)  # staff sign in for the day; the run is shorter
    await seed_complaints(dsn, complaints)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        async with connection.transaction():
            accounts = await _residents(connection, access, residents)
            surge = await _residents(connection, access, surge_residents)
            staff = [
                await connection.fetchval(_STAFF, f"officer-{n}@bench.invalid", "officer", OFFICER_AGENCY)
                for n in range(officers)
            ]
            admin = await connection.fetchval(_STAFF, "admin@bench.invalid", "admin", None)
            await add_place(connection, PLACE, SEATS)
            await connection.execute(_WORDS_DONE)
            await connection.execute(_ESCALATIONS_DONE)
            # Seeded residents have chosen no district: the regency's topic in their language.
            await connection.execute(_TOPICS_DONE, sorted(wanted_topics(None, "id")))
        await connection.execute(
            "VACUUM (ANALYZE) residents, cases, devices, refresh_tokens, case_search, case_escalation_steps"
        )
    finally:
        await connection.close()
    return Seeded(
        residents=accounts,
        surge_residents=surge,
        officers=[{"access_token": staff_access.issue(AccessSubject(kind="staff", id=id_))} for id_ in staff],
        admin={"access_token": staff_access.issue(AccessSubject(kind="staff", id=admin))},
        seconds=time.monotonic() - started,
    )


async def _residents(connection: asyncpg.Connection, access: AccessTokens, count: int) -> list[dict[str, Any]]:
    if count == 0:
        return []
    ids = [row["id"] for row in await connection.fetch(_RESIDENTS, count)]
    await connection.execute(_DEVICES, ids)
    await connection.execute(_CASES, ids, OFFICER_AGENCY)
    accounts = []
    for resident_id in ids:
        # Phones are at every point of their token's life: refreshes spread over the run instead
        # of all falling due at once.
        issued_at = time.time() - random.uniform(0, model.ACCESS_TOKEN_SECONDS * model.REFRESH_AT_SHARE)
        subject = AccessSubject(kind="resident", id=resident_id)
        family = await start_family(connection, subject, timedelta(days=1))
        accounts.append({"access_token": access.issue(subject), "refresh_token": family.token, "issued_at": issued_at})
    return accounts
