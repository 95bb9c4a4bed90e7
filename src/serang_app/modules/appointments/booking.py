"""Booking, reading, cancelling and rescheduling a resident's appointments.

A booking takes one seat of a slot with a single conditional UPDATE on the slot's seat row (see
the migration), after locking the resident's row: concurrent requests for the last seat queue on
the seat row and the losers find it full; one resident's parallel requests queue on their own
row, so "one active booking per service" and the daily limit hold without races.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from serang_app.api import (
    ApiError,
    CaseActor,
    CaseEngine,
    Conditions,
    Keyset,
    LocalizedFieldError,
    Notice,
    SessionToCheck,
    cancel_scheduled_notifications,
    notify_resident_all,
    prepare_case_reading,
    take_action,
)
from serang_app.modules.appointments.availability import booking_window_ends, closure_of, past_cutoff
from serang_app.modules.appointments.catalogue import (
    BOOKABLE_SCHEDULE,
    OpenSchedule,
    open_schedule,
    open_schedule_of,
)
from serang_app.modules.appointments.local_time import LOCAL_FIELDS, local_times
from serang_app.modules.appointments.rules import BookingRules
from serang_app.modules.appointments.schemas import Booking, BookingPage, NewBooking
from serang_app.modules.appointments.timetable import local_day, online_seats, slot_at, start_of_day
from serang_app.modules.appointments.workflow import BOOKED, REMINDER_DAY, REMINDER_HOUR, RESCHEDULED, WORKFLOW_CODE

MODULE = "appointments"
# A row as asyncpg reads it, or the same values gathered by hand (a booking just written).
RowLike = asyncpg.Record | Mapping[str, Any]
SERVICE = "appointments.book"
REMINDERS = ((REMINDER_DAY, timedelta(days=1)), (REMINDER_HOUR, timedelta(hours=1)))

BOOKING_COLUMNS = """b.id, b.case_id, c.reference, b.service_code, b.place_code, b.starts_at, b.ends_at, b.status,
b.check_in_code, b.walk_in, b.walk_in_name, b.queue_number, b.checked_in_at, b.created_at"""
_BOOKINGS = f"""SELECT {BOOKING_COLUMNS}, b.resident_id, s.opd_code, p.name AS place_name, s.title AS service_title,
       p.address AS place_address
FROM appointments.bookings b
LEFT JOIN core.cases c ON c.id = b.case_id
JOIN appointments.services s ON s.code = b.service_code
JOIN appointments.places p ON p.code = b.place_code
"""  # noqa: S608 (constant columns)
TAKE_SEAT = """
INSERT INTO appointments.slot_seats (place_code, service_code, starts_at, booked) VALUES ($1, $2, $3, 1)
ON CONFLICT (place_code, service_code, starts_at) DO UPDATE SET booked = appointments.slot_seats.booked + 1
    WHERE appointments.slot_seats.booked < $4
RETURNING booked
"""
# What the resident holds already, in one read of their bookings (a few rows, by
# bookings_resident_idx): an active booking of the service, and the bookings made today; and a seat
# of the slot taken (TAKE_SEAT's conditional upsert) only when neither limit is reached ($6 a day),
# the schedule offers seats online ($7) and the service is open ($8). seat_taken is NULL when no
# seat was taken: a limit, a closed service or a full slot, which the caller tells apart in that
# order.
_HELD_AND_SEAT = """
WITH held AS (
    SELECT count(*) FILTER (WHERE service_code = $2 AND active) AS active_for_service,
           count(*) FILTER (WHERE created_at >= $3) AS made_today
    FROM appointments.bookings WHERE resident_id = $1
),
seat AS (
    INSERT INTO appointments.slot_seats (place_code, service_code, starts_at, booked)
    SELECT $4, $2, $5, 1 FROM held WHERE active_for_service = 0 AND made_today < $6 AND $7::int > 0 AND $8::bool
    ON CONFLICT (place_code, service_code, starts_at) DO UPDATE SET booked = appointments.slot_seats.booked + 1
        WHERE appointments.slot_seats.booked < $7
    RETURNING booked
)
SELECT active_for_service, made_today, (SELECT booked FROM seat) AS seat_taken FROM held
"""
# A new booking. Its answer adds the case's reference and the names read with the schedule.
_INSERT_BOOKING = """
INSERT INTO appointments.bookings (id, case_id, resident_id, service_code, place_code, starts_at, ends_at,
                                   status, check_in_code, created_at, updated_at)
VALUES ($9, $1, $2, $3, $4, $5, $6, 'booked', $7, $8, $8)
RETURNING *
"""
# The names BOOKABLE_SCHEDULE reads for the answer and the notifications.
_NAMES = ("place_name", "place_address", "service_title")
# A resident's own bookings, latest slot first.
_LATEST_FIRST = Keyset("appointments.bookings", ("b.starts_at", "b.id"), tuple[datetime, uuid.UUID])
_RELEASE_SEAT = """
UPDATE appointments.slot_seats SET booked = booked - 1
WHERE place_code = $1 AND service_code = $2 AND starts_at = $3 AND booked > 0
"""


def booking_of(row: RowLike, zone: ZoneInfo) -> Booking:
    """The booking with its times also in the region's zone, and its service's and place's names."""
    return msgspec.convert(
        {
            **{name: row[name] for name in Booking.__struct_fields__ if name not in LOCAL_FIELDS},
            **local_times(row["starts_at"], row["ends_at"], zone),
        },
        Booking,
    )


async def booking_row(
    connection: asyncpg.Connection, where: str, *args: object, lock: bool = False
) -> asyncpg.Record | None:
    return await connection.fetchrow(_BOOKINGS + where + (" FOR UPDATE OF b" if lock else ""), *args)


async def booking_id_of(connection: asyncpg.Connection, some_id: uuid.UUID) -> uuid.UUID:
    """The booking's id for a path holding either it or its case's id (cases booked before the
    case named its booking lead here by the case id). An unknown id comes back as it is (404)."""
    found: uuid.UUID | None = await connection.fetchval(
        "SELECT id FROM appointments.bookings WHERE case_id = $1", some_id
    )
    return found or some_id


async def own_booking(
    connection: asyncpg.Connection, actor: CaseActor, booking_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record:
    """The booking if `actor` may see it: its resident, or staff of the service's agency (404 else)."""
    row = await booking_row(connection, "WHERE b.id = $1", booking_id, lock=lock)
    if row is None or row["resident_id"] is None or not actor.may_see(row["resident_id"], row["opd_code"]):
        raise ApiError(404)
    return row


async def my_bookings(
    connection: asyncpg.Connection, resident_id: uuid.UUID, limit: int, cursor: str | None, zone: ZoneInfo
) -> BookingPage:
    """The resident's bookings, latest slot first, keyset-paginated. A cursor names the list it
    came from, so another resident's is refused rather than read against this list."""
    own = Conditions()
    own.add("b.resident_id = ?", resident_id)
    rows, next_cursor = await _LATEST_FIRST.page(limit, cursor, owner=resident_id).fetch(connection, _BOOKINGS, own)
    return BookingPage(items=[booking_of(row, zone) for row in rows], next_cursor=next_cursor)


async def book(
    engine: CaseEngine,
    connection: asyncpg.Connection,
    actor: CaseActor,
    draft: NewBooking,
    rules: BookingRules,
    session_id: uuid.UUID | None,
) -> Booking:
    """Inside a transaction: check the account (the route skips authentication's own look-up,
    ACCOUNT_CHECKED_BY_ROUTE_OPT), the slot and the resident's limits, take a seat, open the
    case, schedule the reminders. Three round trips (docs/performance.md, "Booking, fourth
    round"): the lock with every read that does not need it; the limits counted with the seat;
    the case with the booking and its notifications."""
    assert actor.id is not None
    now = rules.now()
    # The booking's id is chosen first so the case can name it as the module's object.
    booking_id = uuid.uuid4()
    # The resident's row locked, the account checked, the schedule, the day's closure and the
    # case's catalogue entry read: one round trip.
    reading = await prepare_case_reading(
        engine,
        connection,
        actor,
        BOOKABLE_SCHEDULE,
        (draft.place_code, draft.service_code, True, _slot_day(draft, engine.zone)),
        module=MODULE,
        workflow=WORKFLOW_CODE,
        service_code=SERVICE,
        object_id=booking_id,
        account=SessionToCheck(session_id),
        lock_resident=True,
    )
    if reading.row is None:
        raise _not_bookable_here()
    names = {name: reading.row.pop(name) for name in _NAMES}
    found = open_schedule_of(reading.row)
    starts_at, ends_at = _check_slot(found, draft.starts_at, now, engine.zone)
    # The limits are counted in the statement that takes the seat, after the lock: its snapshot
    # sees a booking of this resident committed meanwhile. The seat is taken only when the
    # limits and the catalogue allow; from then on the slot's seat row is locked until the
    # commit, and each round trip holds up every other booking of the slot: one more.
    held = await connection.fetchrow(
        _HELD_AND_SEAT,
        actor.id,
        draft.service_code,
        start_of_day(local_day(now, engine.zone), engine.zone),
        draft.place_code,
        starts_at,
        rules.daily_limit,
        online_seats(found.schedule),
        reading.is_open,
    )
    assert held is not None  # an aggregate returns its row
    if held["active_for_service"]:
        raise ApiError(409, "appointments_already_booked")
    if held["made_today"] >= rules.daily_limit:
        raise ApiError(409, "appointments_daily_limit", params={"limit": rules.daily_limit})
    case = reading.routed_case(
        opd_code=found.opd_code, district_code=found.district_code, sla_days=None, is_public=False
    )  # 409 when an admin closed the service
    if held["seat_taken"] is None:
        raise ApiError(409, "appointments_slot_full")
    # The reference is given to each notice by the statement that numbers the case (open_writing).
    told = {"reference": None, "starts_at": starts_at, "place_name": names["place_name"]}
    opened = await case.open_writing(
        connection,
        _INSERT_BOOKING,
        (
            case.case_id,
            actor.id,
            draft.service_code,
            draft.place_code,
            starts_at,
            ends_at,
            secrets.token_urlsafe(12),
            now,
            booking_id,
        ),
        notices=[_notice(told, BOOKED, engine.zone), *_reminders(told, now, engine.zone)],
        returning=True,
    )
    assert opened.written is not None  # an INSERT ... RETURNING of one row
    return booking_of({**opened.written, "reference": opened.reference, **names}, engine.zone)


async def cancel(
    engine: CaseEngine, connection: asyncpg.Connection, actor: CaseActor, booking_id: uuid.UUID, rules: BookingRules
) -> Booking:
    row = await own_booking(connection, actor, booking_id, lock=True)
    found = await _any_schedule(connection, row["place_code"], row["service_code"])
    if row["status"] == "booked" and past_cutoff(found.schedule, row["starts_at"], rules.now()):
        raise ApiError(409, "appointments_past_cutoff", params={"minutes": found.schedule.cutoff_minutes})
    await take_action(engine, connection, actor, row["case_id"], "cancel", expected_version=None)
    await release(connection, row, "cancelled")
    return booking_of(await own_booking(connection, actor, booking_id), engine.zone)


async def reschedule(
    connection: asyncpg.Connection,
    actor: CaseActor,
    booking_id: uuid.UUID,
    starts_at: datetime,
    rules: BookingRules,
    zone: ZoneInfo,
) -> Booking:
    """Move a booking to another slot of the same place and service. The new seat is taken first:
    if it cannot be, the booking keeps its slot."""
    now = rules.now()
    row = await own_booking(connection, actor, booking_id, lock=True)
    if row["status"] != "booked" or actor.role != "resident":
        raise ApiError(409, "appointments_not_waiting")
    found = await _bookable_schedule(connection, row["place_code"], row["service_code"], starts_at, zone)
    if past_cutoff(found.schedule, row["starts_at"], now):
        raise ApiError(409, "appointments_past_cutoff", params={"minutes": found.schedule.cutoff_minutes})
    new_start, new_end = _check_slot(found, starts_at, now, zone)
    if new_start == row["starts_at"]:
        return booking_of(row, zone)
    await _take_seat(connection, found, row["place_code"], row["service_code"], new_start)
    await connection.execute(_RELEASE_SEAT, row["place_code"], row["service_code"], row["starts_at"])
    await connection.execute(
        "UPDATE appointments.bookings SET starts_at = $2, ends_at = $3, updated_at = now() WHERE id = $1",
        booking_id,
        new_start,
        new_end,
    )
    await drop_reminders(connection, row["case_id"])
    moved = await own_booking(connection, actor, booking_id)
    await notify_resident_all(
        connection,
        moved["resident_id"],
        moved["case_id"],
        source=MODULE,
        notices=[_notice(moved, RESCHEDULED, zone), *_reminders(moved, now, zone)],
    )
    return booking_of(moved, zone)


async def release(connection: asyncpg.Connection, row: asyncpg.Record, status: str) -> None:
    """The booking ends before its slot: its seat is free again, its reminders go."""
    await connection.execute(_RELEASE_SEAT, row["place_code"], row["service_code"], row["starts_at"])
    await connection.execute(
        "UPDATE appointments.bookings SET status = $2, active = false, updated_at = now() WHERE id = $1",
        row["id"],
        status,
    )
    if row["case_id"] is not None:
        await drop_reminders(connection, row["case_id"])


def _reminders(row: RowLike, now: datetime, zone: ZoneInfo) -> list[Notice]:
    """The day before and an hour before the slot (scheduled notifications); one already past is
    not sent (a booking made this morning for this afternoon gets only the hour's)."""
    return [
        _notice(row, template, zone, at=row["starts_at"] - before)
        for template, before in REMINDERS
        if row["starts_at"] - before > now
    ]


def _notice(row: RowLike, template: str, zone: ZoneInfo, *, at: datetime | None = None) -> Notice:
    return Notice(
        template,
        {"reference": row["reference"], "when": when_text(row["starts_at"], zone), "place": row["place_name"]},
        at,
    )


async def drop_reminders(connection: asyncpg.Connection, case_id: uuid.UUID) -> None:
    await cancel_scheduled_notifications(connection, case_id, [template for template, _ in REMINDERS])


def when_text(moment: datetime, zone: ZoneInfo) -> str:
    """30-11-2026 09:30 WIB (or WITA, WIT: the zone's own abbreviation): how the office writes
    it, in either language."""
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")


async def _bookable_schedule(
    connection: asyncpg.Connection, place_code: str, service_code: str, starts_at: datetime, zone: ZoneInfo
) -> OpenSchedule:
    """The open schedule, with the closure of the slot's day read in the same round trip (a slot's
    day is the local day of its start; a time without its zone is refused by _check_slot)."""
    day = local_day(starts_at, zone) if starts_at.tzinfo is not None else None
    found = await open_schedule(connection, place_code, service_code, closed_on=day)
    if found is None:
        raise _not_bookable_here()
    return found


def _not_bookable_here() -> ApiError:
    return ApiError(
        422,
        errors=[
            LocalizedFieldError(
                "place_code",
                "Layanan ini tidak bisa dipesan di tempat ini",
                "This service cannot be booked at this place",
            )
        ],
    )


def _slot_day(draft: NewBooking, zone: ZoneInfo) -> date | None:
    """The local day of the asked slot, whose closure the schedule's read returns (a time without
    its zone is refused by _check_slot)."""
    return local_day(draft.starts_at, zone) if draft.starts_at.tzinfo is not None else None


async def _any_schedule(connection: asyncpg.Connection, place_code: str, service_code: str) -> OpenSchedule:
    """The schedule even if closed since the booking (cancelling must still work)."""
    found = await open_schedule(connection, place_code, service_code, only_open=False)
    assert found is not None  # a booking's schedule is never deleted
    return found


def _check_slot(found: OpenSchedule, starts_at: datetime, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The slot must exist, the day be open, inside the horizon and before the cut-off."""
    if starts_at.tzinfo is None:
        raise ApiError(
            422,
            errors=[LocalizedFieldError("starts_at", "Sertakan zona waktu", "Give the time zone (e.g. +07:00)")],
        )
    slot = slot_at(found.schedule, starts_at, zone)
    if slot is None:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "starts_at", "Bukan awal slot pada jadwal tempat ini", "Not the start of a slot in this schedule"
                )
            ],
        )
    day = local_day(slot[0], zone)
    reason = closure_of(found, day)
    if reason is not None:
        raise ApiError(409, "appointments_day_closed", params={"day": day.isoformat(), "reason": reason.id})
    if day > booking_window_ends(found.schedule, now, zone):
        raise ApiError(409, "appointments_beyond_horizon", params={"days": found.schedule.horizon_days})
    if past_cutoff(found.schedule, slot[0], now):
        raise ApiError(409, "appointments_past_cutoff", params={"minutes": found.schedule.cutoff_minutes})
    return slot


async def _take_seat(
    connection: asyncpg.Connection, found: OpenSchedule, place_code: str, service_code: str, starts_at: datetime
) -> None:
    seats = online_seats(found.schedule)
    taken = await connection.fetchval(TAKE_SEAT, place_code, service_code, starts_at, seats) if seats > 0 else None
    if taken is None:
        raise ApiError(409, "appointments_slot_full")
