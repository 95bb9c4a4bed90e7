"""At the office: check-in by QR code or reference number (on the booked day, at the booked
place, by the service's agency), the day's queue, calling, serving, finishing, and walk-ins.

A walk-in is a queue entry without a case: the resident may have no account. Walk-ins use the
share of capacity kept for them; they do not take the app's seats.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from serang_app.api import ApiError, CaseActor, CaseEngine, LocalizedFieldError, notify_resident, take_action
from serang_app.modules.appointments.availability import closure_of
from serang_app.modules.appointments.booking import MODULE, booking_of, booking_row
from serang_app.modules.appointments.catalogue import open_schedule
from serang_app.modules.appointments.rules import BookingRules
from serang_app.modules.appointments.schemas import Booking, CheckIn, WalkIn
from serang_app.modules.appointments.timetable import local_day, start_of_day
from serang_app.modules.appointments.workflow import CHECKED_IN

_NEXT_NUMBER = """
INSERT INTO appointments.queue_counters (place_code, day, last_value) VALUES ($1, $2, 1)
ON CONFLICT (place_code, day) DO UPDATE SET last_value = appointments.queue_counters.last_value + 1
RETURNING last_value
"""
# The desk's steps after check-in: the action, the status it leaves, the status it reaches.
STEPS = {"call": ("checked_in", "called"), "serve": ("called", "serving"), "finish": ("serving", "done")}


def _visible(actor: CaseActor, opd_code: str) -> bool:
    return actor.role == "admin" or actor.opd_code == opd_code


async def check_in(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, data: CheckIn, rules: BookingRules
) -> Booking:
    if (data.code is None) == (data.reference is None):
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "code", "Isi kode QR atau nomor referensi (salah satu)", "Give the QR code or the reference (one)"
                )
            ],
        )
    if data.code is not None:
        row = await booking_row(connection, "WHERE b.check_in_code = $1", data.code, lock=True)
    else:
        row = await booking_row(connection, "WHERE c.reference = $1", (data.reference or "").strip().upper(), lock=True)
    # Another agency's booking is as unknown as a wrong code.
    if row is None or not _visible(actor, row["opd_code"]):
        raise ApiError(404)
    if row["place_code"] != data.place_code:
        raise ApiError(409, "appointments_wrong_place", params={"place": row["place_name"]})
    now = rules.now()
    today = local_day(now, engine.zone)
    booked_day = local_day(row["starts_at"], engine.zone)
    if booked_day != today:
        raise ApiError(409, "appointments_wrong_day", params={"day": booked_day.isoformat()})
    if row["status"] != "booked":
        raise ApiError(409, "appointments_not_waiting")
    await take_action(engine, connection, actor, row["case_id"], "check_in", expected_version=None)
    number = await _queue_up(connection, row["id"], row["place_code"], now, engine.zone)
    await notify_resident(
        connection,
        row["resident_id"],
        row["case_id"],
        source=MODULE,
        template=CHECKED_IN,
        params={"reference": row["reference"], "queue": queue_label(number)},
    )
    return await _read(connection, row["id"], engine.zone)


async def add_walk_in(
    connection: asyncpg.Connection, actor: CaseActor, data: WalkIn, rules: BookingRules, zone: ZoneInfo
) -> Booking:
    """Staff put someone who came without booking in today's queue (checked in at once)."""
    now = rules.now()
    today = local_day(now, zone)
    found = await open_schedule(connection, data.place_code, data.service_code, closed_on=today)
    if found is None or not _visible(actor, found.opd_code):
        raise ApiError(404)
    reason = closure_of(found, today)
    if reason is not None:
        raise ApiError(409, "appointments_day_closed", params={"day": today.isoformat(), "reason": reason.id})
    booking_id = await connection.fetchval(
        """INSERT INTO appointments.bookings (service_code, place_code, starts_at, ends_at, status, walk_in,
               walk_in_name, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'checked_in', true, $5, $3, $3) RETURNING id""",
        data.service_code,
        data.place_code,
        now,
        now + timedelta(minutes=found.duration_minutes),
        data.name,
    )
    await _queue_up(connection, booking_id, data.place_code, now, zone)
    return await _read(connection, booking_id, zone)


async def take_step(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, booking_id: uuid.UUID, step: str
) -> Booking:
    source, target = STEPS[step]
    row = await booking_row(connection, "WHERE b.id = $1", booking_id, lock=True)
    if row is None or not _visible(actor, row["opd_code"]):
        raise ApiError(404)
    if row["status"] != source:
        raise ApiError(409, "appointments_wrong_step", params={"status": row["status"]})
    if row["case_id"] is not None:
        await take_action(engine, connection, actor, row["case_id"], step, expected_version=None)
    await connection.execute(
        "UPDATE appointments.bookings SET status = $2, active = $3, updated_at = now() WHERE id = $1",
        booking_id,
        target,
        target != "done",
    )
    return await _read(connection, booking_id, engine.zone)


async def day_queue(
    connection: asyncpg.Connection, actor: CaseActor, place_code: str, day: date, zone: ZoneInfo
) -> list[Booking]:
    """The day's bookings at a place for the actor's agency: the queue in number order, then
    those not arrived yet by their time."""
    rows = await connection.fetch(
        """SELECT b.id FROM appointments.bookings b
           JOIN appointments.services s ON s.code = b.service_code
           WHERE b.place_code = $1 AND (s.opd_code = $3 OR $4)
             AND (b.queue_day = $2 OR (b.queue_day IS NULL AND b.starts_at >= $5 AND b.starts_at < $6))
           ORDER BY b.queue_number NULLS LAST, b.starts_at LIMIT 1000""",
        place_code,
        day,
        actor.opd_code,
        actor.role == "admin",
        *_day_bounds(day, zone),
    )
    return [await _read(connection, row["id"], zone) for row in rows]


def queue_label(number: int) -> str:
    return f"A-{number:03d}"


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = start_of_day(day, zone)
    return start, start + timedelta(days=1)


async def _queue_up(
    connection: asyncpg.Connection, booking_id: uuid.UUID, place_code: str, now: datetime, zone: ZoneInfo
) -> int:
    """The next number of the place's queue today (the local day); the booking is checked in."""
    day = local_day(now, zone)
    number: int = await connection.fetchval(_NEXT_NUMBER, place_code, day)
    await connection.execute(
        """UPDATE appointments.bookings SET status = 'checked_in', queue_day = $2, queue_number = $3,
               checked_in_at = $4, updated_at = now() WHERE id = $1""",
        booking_id,
        day,
        number,
        now,
    )
    return number


async def _read(connection: asyncpg.Connection, booking_id: uuid.UUID, zone: ZoneInfo) -> Booking:
    row = await booking_row(connection, "WHERE b.id = $1", booking_id)
    assert row is not None
    return booking_of(row, zone)
