"""What can be booked where: services, places and their schedules; read by everyone, edited by
admins."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import msgspec

from serang_app.api import ApiError, LocalizedFieldError, require_agency, upsert_row
from serang_app.modules.appointments.offers import offer_bookable
from serang_app.modules.appointments.schemas import Place, PlaceDraft, Schedule, Service, ServiceDraft

_SERVICES = """
SELECT s.code, s.title, s.documents, s.opd_code, s.duration_minutes, s.is_active, s.sort_order,
       coalesce(array_agg(h.place_code ORDER BY h.place_code) FILTER (WHERE h.place_code IS NOT NULL), '{}') AS places
FROM appointments.services s
LEFT JOIN appointments.schedules h ON h.service_code = s.code AND h.is_active
    AND EXISTS (SELECT 1 FROM appointments.places p WHERE p.code = h.place_code AND p.is_active)
WHERE s.is_active OR $1
GROUP BY s.code
ORDER BY s.sort_order, s.code
"""
_PLACES = """
SELECT p.code, p.name, p.address, p.district_code, p.latitude, p.longitude, p.is_active,
       coalesce(array_agg(h.service_code ORDER BY h.service_code) FILTER (WHERE h.service_code IS NOT NULL), '{}')
           AS services
FROM appointments.places p
LEFT JOIN appointments.schedules h ON h.place_code = p.code AND h.is_active
    AND EXISTS (SELECT 1 FROM appointments.services s WHERE s.code = h.service_code AND s.is_active)
WHERE p.is_active OR $1
GROUP BY p.code
ORDER BY p.name
"""
# $4, when not null: a day whose closure (the place's own before the regency-wide one) comes back
# with the schedule, so booking and the desk's walk-ins read both in one round trip.
_OPEN_SCHEDULE = """
SELECT h.hours, h.slot_minutes, h.capacity, h.walk_in_percent, h.horizon_days, h.cutoff_minutes, h.is_active,
       s.opd_code, s.duration_minutes, p.district_code,
       (SELECT c.reason FROM appointments.closures c WHERE c.day = $4 AND (c.place_code = $1 OR c.place_code IS NULL)
        ORDER BY c.place_code NULLS LAST LIMIT 1) AS closure
FROM appointments.schedules h
JOIN appointments.services s ON s.code = h.service_code
JOIN appointments.places p ON p.code = h.place_code
WHERE h.place_code = $1 AND h.service_code = $2 AND ((h.is_active AND s.is_active AND p.is_active) OR NOT $3)
"""
# Booking's read of the schedule (open only, with the day's closure), with the place's and the
# service's names its answer and notifications show, ridden in the statement that locks the
# resident (booking.py): $3 is true.
BOOKABLE_SCHEDULE = _OPEN_SCHEDULE.replace(
    "s.opd_code,", "s.opd_code, p.name AS place_name, p.address AS place_address, s.title AS service_title,", 1
)


def _decode(row: asyncpg.Record, kind: type[Any]) -> Any:
    return msgspec.convert(dict(row), kind)


async def list_services(connection: asyncpg.Connection, *, include_inactive: bool = False) -> list[Service]:
    return [_decode(row, Service) for row in await connection.fetch(_SERVICES, include_inactive)]


async def list_places(connection: asyncpg.Connection, *, include_inactive: bool = False) -> list[Place]:
    return [_decode(row, Place) for row in await connection.fetch(_PLACES, include_inactive)]


class OpenSchedule(msgspec.Struct, kw_only=True):
    """A bookable schedule with what booking needs from its service and place."""

    schedule: Schedule
    opd_code: str
    duration_minutes: int
    district_code: str
    # Why an admin closed the place on the day open_schedule was asked about (`closed_on`), if so;
    # public holidays are not stored (availability.closure_of adds them).
    closure: str | None = None


async def open_schedule(
    connection: asyncpg.Connection,
    place_code: str,
    service_code: str,
    *,
    only_open: bool = True,
    closed_on: date | None = None,
) -> OpenSchedule | None:
    """The schedule with its service's agency and length and its place's district; `only_open`:
    None unless the schedule, the service and the place are all open; `closed_on`: a day whose
    stored closure to read with it."""
    row = await connection.fetchrow(_OPEN_SCHEDULE, place_code, service_code, only_open, closed_on)
    return None if row is None else open_schedule_of(dict(row))


def open_schedule_of(values: dict[str, Any]) -> OpenSchedule:
    """_OPEN_SCHEDULE's row (BOOKABLE_SCHEDULE's without its names) as an OpenSchedule."""
    extra = {name: values.pop(name) for name in ("opd_code", "duration_minutes", "district_code", "closure")}
    return OpenSchedule(schedule=msgspec.convert(values, Schedule), **extra)


async def save_service(connection: asyncpg.Connection, code: str, draft: ServiceDraft) -> Service:
    """Add a service or replace one's definition (PUT: the whole of it)."""
    await require_agency(connection, draft.opd_code)
    await upsert_row(connection, "appointments.services", {"code": code}, msgspec.to_builtins(draft))
    await offer_bookable(connection, code)
    services = await list_services(connection, include_inactive=True)
    return next(service for service in services if service.code == code)


async def save_place(connection: asyncpg.Connection, code: str, draft: PlaceDraft, region_code: str) -> Place:
    """Add a place or replace one's definition (PUT: the whole of it), in a district of the region."""
    if not await connection.fetchval(
        "SELECT 1 FROM core.regions WHERE code = $1 AND code LIKE $2 || '.%' AND level = 'district'",
        draft.district_code,
        region_code,
    ):
        raise ApiError(
            422, errors=[LocalizedFieldError("district_code", "Kecamatan tidak dikenal", "Unknown district")]
        )
    await upsert_row(connection, "appointments.places", {"code": code}, msgspec.to_builtins(draft))
    places = await list_places(connection, include_inactive=True)
    return next(place for place in places if place.code == code)


async def read_schedule(connection: asyncpg.Connection, place_code: str, service_code: str) -> Schedule:
    row = await connection.fetchrow(
        """SELECT hours, slot_minutes, capacity, walk_in_percent, horizon_days, cutoff_minutes, is_active
           FROM appointments.schedules WHERE place_code = $1 AND service_code = $2""",
        place_code,
        service_code,
    )
    if row is None:
        raise ApiError(404)
    return msgspec.convert(dict(row), Schedule)


async def save_schedule(
    connection: asyncpg.Connection, place_code: str, service_code: str, schedule: Schedule
) -> Schedule:
    """Set when a place offers a service. Seats already booked stay booked: a smaller capacity
    only stops new bookings in slots that are fuller than it."""
    problems = _hours_problems(schedule)
    known = await connection.fetchrow(
        """SELECT EXISTS (SELECT 1 FROM appointments.places WHERE code = $1) AS place,
                  EXISTS (SELECT 1 FROM appointments.services WHERE code = $2) AS service""",
        place_code,
        service_code,
    )
    assert known is not None
    if not (known["place"] and known["service"]):
        raise ApiError(404)
    if problems:
        raise ApiError(422, errors=problems)
    await upsert_row(
        connection,
        "appointments.schedules",
        {"place_code": place_code, "service_code": service_code},
        msgspec.to_builtins(schedule),
    )
    return await read_schedule(connection, place_code, service_code)


def _hours_problems(schedule: Schedule) -> list[LocalizedFieldError]:
    """Each opening must close after it opens and hold at least one slot; openings of a day must
    not overlap (a slot would be offered twice)."""
    problems: list[LocalizedFieldError] = []
    for index, hours in enumerate(schedule.hours):
        opens, closes = _minutes(hours.opens), _minutes(hours.closes)
        if closes - opens < schedule.slot_minutes:
            problems.append(
                LocalizedFieldError(
                    f"hours[{index}].closes",
                    "Jam tutup harus setelah jam buka, paling tidak satu slot",
                    "Closing must come at least one slot after opening",
                )
            )
        for other_index, other in enumerate(schedule.hours[:index]):
            if other.weekday == hours.weekday and _minutes(other.opens) < closes and opens < _minutes(other.closes):
                problems.append(
                    LocalizedFieldError(
                        f"hours[{index}]",
                        f"Bertumpuk dengan hours[{other_index}]",
                        f"Overlaps hours[{other_index}]",
                    )
                )
    return problems


def _minutes(clock_time: str) -> int:
    hours, minutes = clock_time.split(":")
    return int(hours) * 60 + int(minutes)
