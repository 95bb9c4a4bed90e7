"""The appointments rows: a seeded place's 14 days of slots with seats taken here and there, and
booking under contention: every connection books among the same 24 slots of one day, each
request as a new resident (one active booking per service, three a day: a resident books once).

Each measured phase (the bare ceiling and the service, warm-up and measurement) books a day of
its own at its own bench place, 24 slots of 500 seats each (the most a schedule allows), so no
phase runs out of seats and only the contention on the same rows is measured (16 slots did not
last: a bare phase at 840 requests/s found some slots full, answered cheap 409s and so rose above
its true rate; a phase that runs out now stops the bench).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg
import msgspec

from serang_app.cases.calendar import JAKARTA
from serang_app.modules.appointments.timetable import public_holiday

SLOTS_PLACE = "disdukcapil_office"
SERVICE = "ktp_recording"
SLOTS_DAYS = 14
HOT_SLOTS = 24  # 08:00-20:00 in 30-minute slots
SEATS = 500  # the schedule's largest capacity (appointments' migrations)
CLOSES = f"{8 + HOT_SLOTS // 2:02d}:00"

_SEED_SEATS = """
INSERT INTO appointments.slot_seats (place_code, service_code, starts_at, booked)
SELECT $1, $2, day + interval '8 hours' + n * interval '30 minutes', (n * 7 + extract(day FROM day)::int) % 6
FROM generate_series($3::timestamptz, $4::timestamptz, interval '1 day') AS day
CROSS JOIN generate_series(0, 13) AS n
"""
_PLACE = """
INSERT INTO appointments.places (code, name, address, district_code, latitude, longitude)
VALUES ($1, 'Bench office', 'Bench', '36.04.09', -6.12, 106.23)
"""
_SCHEDULE = """
INSERT INTO appointments.schedules (place_code, service_code, hours, slot_minutes, capacity, walk_in_percent,
                                    horizon_days, cutoff_minutes)
VALUES ($1, $2, $3, 30, $4, 0, 14, 0)
"""
_RESIDENTS = "INSERT INTO residents (locale) SELECT 'id' FROM generate_series(1, $1) RETURNING id"


@dataclass(frozen=True, slots=True)
class BookingPhase:
    """One measured phase: the place, the day's slot starts and the residents who book."""

    place: str
    slot_starts: list[str]
    residents: list[str]


@dataclass(frozen=True, slots=True)
class AppointmentSetup:
    slots_path: str
    # warm-up and measurement, for the bare ceiling and for the service
    bare: tuple[BookingPhase, BookingPhase]
    service: tuple[BookingPhase, BookingPhase]
    seconds: float


async def add_place(connection: asyncpg.Connection, place: str, seats: int) -> None:
    """A bench office booking SERVICE every day from 08:00 to CLOSES, `seats` a slot."""
    every_day = [{"weekday": weekday, "opens": "08:00", "closes": CLOSES} for weekday in range(7)]
    await connection.execute(_PLACE, place)
    await connection.execute(_SCHEDULE, place, SERVICE, msgspec.json.encode(every_day).decode(), seats)


def _open_days(first: date, count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if public_holiday(day) is None:
            days.append(day)
        day += timedelta(days=1)
    return days


async def prepare_appointments(dsn: str, residents_per_phase: int) -> AppointmentSetup:
    started = time.monotonic()
    today = datetime.now(JAKARTA).date()
    days = _open_days(today + timedelta(days=1), 4)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        first = datetime.combine(today + timedelta(days=1), datetime.min.time(), JAKARTA)
        await connection.execute(_SEED_SEATS, SLOTS_PLACE, SERVICE, first, first + timedelta(days=SLOTS_DAYS - 1))
        phases: list[BookingPhase] = []
        for index, day in enumerate(days):
            place = f"bench_{'bare' if index < 2 else 'service'}_{index}"
            await add_place(connection, place, SEATS)
            opens = datetime.combine(day, datetime.min.time(), JAKARTA) + timedelta(hours=8)
            starts = [(opens + timedelta(minutes=30 * n)).isoformat() for n in range(HOT_SLOTS)]
            rows = await connection.fetch(_RESIDENTS, residents_per_phase)
            phases.append(BookingPhase(place=place, slot_starts=starts, residents=[str(row["id"]) for row in rows]))
        await connection.execute("VACUUM (ANALYZE) residents, appointments.slot_seats")
    finally:
        await connection.close()
    last = today + timedelta(days=SLOTS_DAYS)
    path = f"/v1/appointments/slots?service={SERVICE}&place={SLOTS_PLACE}&from={today + timedelta(days=1)}&to={last}"
    return AppointmentSetup(
        slots_path=path,
        bare=(phases[0], phases[1]),
        service=(phases[2], phases[3]),
        seconds=time.monotonic() - started,
    )
