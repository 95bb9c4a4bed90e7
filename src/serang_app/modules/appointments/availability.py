"""GET /v1/appointments/slots: every slot of a place and service over a range of days, with the
seats left in the app. Two small queries (the schedule, then the seats and closures of the range);
the slots themselves are computed from the weekly hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from serang_app.api import ApiError, LocalizedFieldError, Text
from serang_app.modules.appointments.catalogue import OpenSchedule, open_schedule
from serang_app.modules.appointments.local_time import utc_offset
from serang_app.modules.appointments.schemas import ClosedDay, Schedule, Slot, SlotList
from serang_app.modules.appointments.timetable import (
    days,
    local_day,
    online_seats,
    public_holiday,
    slots_on,
    start_of_day,
)

MAX_RANGE_DAYS = 31

# What the app shows above the slots: the service's title in both languages and the place's name.
_NAMES = """
SELECT s.title, p.name FROM appointments.services s, appointments.places p WHERE s.code = $1 AND p.code = $2
"""
_SEATS_AND_CLOSURES = """
SELECT 'seat' AS kind, starts_at, booked, NULL::date AS day, NULL AS reason
FROM appointments.slot_seats
WHERE place_code = $1 AND service_code = $2 AND starts_at >= $3 AND starts_at < $4
UNION ALL
SELECT 'closure', NULL, NULL, day, reason
FROM appointments.closures
WHERE (place_code = $1 OR place_code IS NULL) AND day BETWEEN $5 AND $6
"""


def closure_of(found: OpenSchedule, day: date) -> Text | None:
    """Why the place is closed on `day` (a public holiday, or a closure), or None when open;
    `found` was read with `open_schedule(..., closed_on=day)`."""
    holiday = public_holiday(day)
    if holiday is not None:
        return holiday
    return Text(id=found.closure, en=found.closure) if found.closure is not None else None


def booking_window_ends(schedule: Schedule, now: datetime, zone: ZoneInfo) -> date:
    """The last day that can be booked: today plus the horizon (local days)."""
    return local_day(now, zone) + timedelta(days=schedule.horizon_days)


def past_cutoff(schedule: Schedule, starts_at: datetime, now: datetime) -> bool:
    return now > starts_at - timedelta(minutes=schedule.cutoff_minutes)


async def available_slots(
    connection: asyncpg.Connection,
    service_code: str,
    place_code: str,
    first: date,
    last: date,
    now: datetime,
    zone: ZoneInfo,
) -> SlotList:
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise ApiError(
            422,
            errors=[
                LocalizedFieldError(
                    "to",
                    f"Rentang tanggal 1 sampai {MAX_RANGE_DAYS} hari, 'to' tidak sebelum 'from'",
                    f"The range is 1 to {MAX_RANGE_DAYS} days, 'to' not before 'from'",
                )
            ],
        )
    found: OpenSchedule | None = await open_schedule(connection, place_code, service_code)
    if found is None:
        raise ApiError(404)
    schedule = found.schedule
    range_start = start_of_day(first, zone)
    range_end = start_of_day(last + timedelta(days=1), zone)
    booked: dict[datetime, int] = {}
    closures: dict[date, str] = {}
    for row in await connection.fetch(
        _SEATS_AND_CLOSURES, place_code, service_code, range_start, range_end, first, last
    ):
        if row["kind"] == "seat":
            booked[row["starts_at"]] = row["booked"]
        else:
            closures.setdefault(row["day"], row["reason"])
    seats = online_seats(schedule)
    window_ends = booking_window_ends(schedule, now, zone)
    items: list[Slot] = []
    closed: list[ClosedDay] = []
    for day in days(first, last):
        holiday = public_holiday(day)
        if holiday is not None or day in closures:
            if any(True for _ in slots_on(schedule, day, zone)):
                reason = holiday or Text(id=closures[day], en=closures[day])
                closed.append(ClosedDay(day=day, reason=reason))
            continue
        for starts_at, ends_at in slots_on(schedule, day, zone):
            if starts_at <= now:
                continue
            remaining = max(0, seats - booked.get(starts_at, 0))
            bookable = remaining > 0 and day <= window_ends and not past_cutoff(schedule, starts_at, now)
            items.append(
                Slot(
                    starts_at=starts_at,
                    ends_at=ends_at,
                    starts_at_local=starts_at.astimezone(zone),
                    ends_at_local=ends_at.astimezone(zone),
                    remaining=remaining,
                    bookable=bookable,
                )
            )
    names = await connection.fetchrow(_NAMES, service_code, place_code)
    assert names is not None  # the schedule above names both
    return SlotList(
        service=service_code,
        place=place_code,
        service_title=msgspec.convert(names["title"], Text),
        place_name=names["name"],
        time_zone=zone.key,
        utc_offset=utc_offset(range_start, zone),
        items=items,
        closed=closed,
    )
